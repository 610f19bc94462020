using System.Globalization;
using System.Text;

namespace Actions.Data.Jq;

internal enum TokenKind { Number, String, Ident, Field, Keyword, Op, End }

/// <summary>A token; strings keep their parts (literal text, or the source of an interpolation and its offset).</summary>
internal sealed record Token(TokenKind Kind, string Text, int Position, double Number = 0, IReadOnlyList<StringPart>? Parts = null);

internal sealed record StringPart(string? Literal, string? Source, int SourcePosition);

internal static class JqLexer
{
    private static readonly string[] Keywords = ["if", "then", "elif", "else", "end", "and", "or", "reduce", "foreach", "def", "as", "try", "catch", "label", "import", "include"];
    private static readonly string[] Ops = ["?//", "|=", "+=", "-=", "*=", "/=", "%=", "//=", "==", "!=", "<=", ">=", "//", "..", "|", ",", "+", "-", "*", "/", "%", "=", "<", ">", ".", "[", "]", "(", ")", "{", "}", ":", ";", "?", "$"];

    public static List<Token> Lex(string text, int offset = 0)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length)
            {
                if (char.IsWhiteSpace(text[i])) i++;
                else if (text[i] == '#') { while (i < text.Length && text[i] != '\n') i++; }
                else break;
            }
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", offset + i));
                return tokens;
            }
            var start = i;
            var c = text[i];
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    var j = i + 1;
                    if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
                    if (j < text.Length && char.IsAsciiDigit(text[j]))
                    {
                        i = j;
                        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    }
                }
                var literal = text[start..i];
                if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    throw new JqSyntaxException($"invalid number '{literal}'", offset + start);
                tokens.Add(new Token(TokenKind.Number, literal, offset + start, number));
                continue;
            }
            if (c == '"')
            {
                tokens.Add(LexString(text, ref i, offset));
                continue;
            }
            if (c == '.' && i + 1 < text.Length && (char.IsAsciiLetter(text[i + 1]) || text[i + 1] == '_'))
            {
                i++;
                var nameStart = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Field, text[nameStart..i], offset + start));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_' || (c == '$' && i + 1 < text.Length && (char.IsAsciiLetter(text[i + 1]) || text[i + 1] == '_')))
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                var word = text[start..i];
                tokens.Add(new Token(Keywords.Contains(word) ? TokenKind.Keyword : TokenKind.Ident, word, offset + start));
                continue;
            }
            var op = Ops.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is null) throw new JqSyntaxException($"unexpected character '{c}'", offset + start);
            i += op.Length;
            tokens.Add(new Token(TokenKind.Op, op, offset + start));
        }
    }

    private static Token LexString(string text, ref int i, int offset)
    {
        var start = i;
        i++;
        var parts = new List<StringPart>();
        var literal = new StringBuilder();
        while (true)
        {
            if (i >= text.Length) throw new JqSyntaxException("unterminated string", offset + start);
            var c = text[i];
            if (c == '"')
            {
                i++;
                break;
            }
            if (c != '\\')
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.Length) throw new JqSyntaxException("unterminated string", offset + start);
            var e = text[i + 1];
            switch (e)
            {
                case '"': literal.Append('"'); i += 2; break;
                case '\\': literal.Append('\\'); i += 2; break;
                case '/': literal.Append('/'); i += 2; break;
                case 'b': literal.Append('\b'); i += 2; break;
                case 'f': literal.Append('\f'); i += 2; break;
                case 'n': literal.Append('\n'); i += 2; break;
                case 'r': literal.Append('\r'); i += 2; break;
                case 't': literal.Append('\t'); i += 2; break;
                case 'u':
                    if (i + 6 > text.Length || !int.TryParse(text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw new JqSyntaxException("invalid \\u escape", offset + i);
                    literal.Append((char)code);
                    i += 6;
                    break;
                case '(':
                    if (literal.Length > 0) parts.Add(new StringPart(literal.ToString(), null, 0));
                    literal.Clear();
                    var depth = 1;
                    var j = i + 2;
                    var innerStart = j;
                    while (j < text.Length && depth > 0)
                    {
                        if (text[j] == '"') SkipString(text, ref j, offset, 1);
                        else
                        {
                            if (text[j] == '(') depth++;
                            else if (text[j] == ')') depth--;
                            j++;
                        }
                    }
                    if (depth != 0) throw new JqSyntaxException("unterminated string interpolation", offset + i);
                    parts.Add(new StringPart(null, text[innerStart..(j - 1)], offset + innerStart));
                    i = j;
                    break;
                default:
                    throw new JqSyntaxException($"invalid escape '\\{e}'", offset + i);
            }
        }
        if (literal.Length > 0 || parts.Count == 0) parts.Add(new StringPart(literal.ToString(), null, 0));
        return new Token(TokenKind.String, text[start..i], offset + start, Parts: parts);
    }

    /// <summary>Skips a string inside an interpolation, itself <paramref name="nesting"/> strings deep (bounded like the parser).</summary>
    private static void SkipString(string text, ref int j, int offset, int nesting)
    {
        if (nesting > JqParser.MaxDepth) throw JqParser.TooDeep(offset + j);
        var start = j;
        j++;
        var depth = 0;
        while (j < text.Length)
        {
            if (text[j] == '\\' && j + 1 < text.Length)
            {
                if (text[j + 1] == '(') { depth++; j += 2; continue; }
                j += 2;
                continue;
            }
            if (depth > 0)
            {
                if (text[j] == '(') depth++;
                else if (text[j] == ')') depth--;
                else if (text[j] == '"') { SkipString(text, ref j, offset, nesting + 1); continue; }
                j++;
                continue;
            }
            if (text[j] == '"')
            {
                j++;
                return;
            }
            j++;
        }
        throw new JqSyntaxException("unterminated string", offset + start);
    }
}
