using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>
/// Recursive-descent parser for the jq subset of the spec, with jq 1.6's precedence:
/// <c>|</c> &lt; <c>,</c> &lt; <c>//</c> &lt; <c>or</c> &lt; <c>and</c> &lt; comparisons &lt; <c>+ -</c> &lt; <c>* / %</c> &lt; postfix.
/// Function names are checked against the builtins at compile time.
/// </summary>
internal sealed class JqParser
{
    private readonly List<Token> _tokens;
    private int _pos;

    private JqParser(List<Token> tokens) => _tokens = tokens;

    public static JqAst Parse(string text, int offset = 0)
    {
        var parser = new JqParser(JqLexer.Lex(text, offset));
        var ast = parser.ParsePipe();
        if (parser.Peek.Kind != TokenKind.End) throw parser.Unexpected();
        return ast;
    }

    private Token Peek => _tokens[_pos];
    private Token Next() => _tokens[_pos++];
    private bool IsOp(string op) => Peek.Kind == TokenKind.Op && Peek.Text == op;
    private bool IsKeyword(string word) => Peek.Kind == TokenKind.Keyword && Peek.Text == word;

    private JqSyntaxException Unexpected() => Peek.Kind == TokenKind.End
        ? new JqSyntaxException("unexpected end of expression", Peek.Position)
        : new JqSyntaxException($"unexpected '{Peek.Text}'", Peek.Position);

    private void Expect(string op)
    {
        if (!IsOp(op)) throw Peek.Kind == TokenKind.End ? new JqSyntaxException($"expected '{op}' before the end", Peek.Position) : new JqSyntaxException($"expected '{op}' but found '{Peek.Text}'", Peek.Position);
        _pos++;
    }

    private void ExpectKeyword(string word)
    {
        if (!IsKeyword(word)) throw new JqSyntaxException($"expected '{word}'", Peek.Position);
        _pos++;
    }

    private JqAst ParsePipe()
    {
        var left = ParseComma();
        if (!IsOp("|")) return left;
        _pos++;
        return new PipeAst(left, ParsePipe());
    }

    private JqAst ParseComma()
    {
        var left = ParseAlternative();
        while (IsOp(","))
        {
            _pos++;
            left = new CommaAst(left, ParseAlternative());
        }
        return left;
    }

    private JqAst ParseAlternative()
    {
        var left = ParseOr();
        if (IsOp("//"))
        {
            _pos++;
            return new AlternativeAst(left, ParseAlternative());
        }
        if (Peek.Kind == TokenKind.Op && Peek.Text is "=" or "|=" or "+=" or "-=" or "*=" or "/=" or "%=" or "//=" or "?//")
            throw new JqSyntaxException($"'{Peek.Text}' (assignment) is not supported", Peek.Position);
        return left;
    }

    private JqAst ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword("or"))
        {
            _pos++;
            left = new OrAst(left, ParseAnd());
        }
        return left;
    }

    private JqAst ParseAnd()
    {
        var left = ParseComparison();
        while (IsKeyword("and"))
        {
            _pos++;
            left = new AndAst(left, ParseComparison());
        }
        return left;
    }

    private JqAst ParseComparison()
    {
        var left = ParseAdditive();
        if (Peek.Kind == TokenKind.Op && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            var op = Next().Text;
            var right = ParseAdditive();
            if (Peek.Kind == TokenKind.Op && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
                throw new JqSyntaxException($"comparisons cannot be chained ('{Peek.Text}')", Peek.Position);
            return new BinaryAst(op, left, right);
        }
        return left;
    }

    private JqAst ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "+" or "-")
        {
            var op = Next().Text;
            left = new BinaryAst(op, left, ParseMultiplicative());
        }
        return left;
    }

    private JqAst ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "*" or "/" or "%")
        {
            var token = Next();
            var right = ParseUnary();
            // jq folds constant arithmetic at compile time, so a literal division by zero does not compile.
            if (token.Text == "/" && left is LiteralAst { Value: JsonValue } && right is LiteralAst { Value: JsonValue rv }
                && rv.GetValueKind() == System.Text.Json.JsonValueKind.Number && JqValues.ToDouble(rv) == 0)
                throw new JqSyntaxException("Division by zero?", token.Position);
            left = new BinaryAst(token.Text, left, right);
        }
        return left;
    }

    private JqAst ParseUnary()
    {
        if (IsOp("-"))
        {
            _pos++;
            return new NegateAst(ParseMultiplicativeOperand());
        }
        return ParsePostfix();
    }

    // Unary minus binds looser than * / % (as in jq's grammar), so -2*3 is -(2*3).
    private JqAst ParseMultiplicativeOperand()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Op && Peek.Text is "*" or "/" or "%")
        {
            var op = Next().Text;
            left = new BinaryAst(op, left, ParseUnary());
        }
        return left;
    }

    private JqAst ParsePostfix()
    {
        var term = ParsePrimary();
        while (true)
        {
            if (Peek.Kind == TokenKind.Field)
            {
                term = new IndexAst(term, new LiteralAst(JsonValue.Create(Next().Text)));
            }
            else if (IsOp(".") && _tokens[_pos + 1].Kind == TokenKind.String)
            {
                _pos++;
                term = new IndexAst(term, ParseString(Next()));
            }
            else if (IsOp(".") && _tokens[_pos + 1] is { Kind: TokenKind.Op, Text: "[" })
            {
                _pos++;
                term = ParseBracket(term);
            }
            else if (IsOp("["))
            {
                term = ParseBracket(term);
            }
            else if (IsOp("?"))
            {
                _pos++;
                term = new TryAst(term, null);
            }
            else
            {
                return term;
            }
        }
    }

    private JqAst ParseBracket(JqAst target)
    {
        Expect("[");
        if (IsOp("]"))
        {
            _pos++;
            return new IterateAst(target);
        }
        if (IsOp(":"))
        {
            _pos++;
            var to = ParsePipe();
            Expect("]");
            return new SliceAst(target, null, to);
        }
        var index = ParsePipe();
        if (IsOp(":"))
        {
            _pos++;
            if (IsOp("]"))
            {
                _pos++;
                return new SliceAst(target, index, null);
            }
            var to = ParsePipe();
            Expect("]");
            return new SliceAst(target, index, to);
        }
        Expect("]");
        return new IndexAst(target, index);
    }

    private JqAst ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                _pos++;
                return new LiteralAst(JqValues.Number(token.Number));
            case TokenKind.String:
                _pos++;
                return ParseString(token);
            case TokenKind.Field:
                _pos++;
                return new IndexAst(new IdentityAst(), new LiteralAst(JsonValue.Create(token.Text)));
            case TokenKind.Keyword when token.Text == "if":
                return ParseIf();
            case TokenKind.Keyword when token.Text == "try":
                _pos++;
                var body = ParsePostfix();
                JqAst? handler = null;
                if (IsKeyword("catch"))
                {
                    _pos++;
                    handler = ParsePostfix();
                }
                return new TryAst(body, handler);
            case TokenKind.Keyword:
                throw new JqSyntaxException($"'{token.Text}' is not supported here", token.Position);
            case TokenKind.Ident:
                return ParseCall();
            case TokenKind.Op:
                switch (token.Text)
                {
                    case ".":
                        _pos++;
                        if (Peek.Kind == TokenKind.String) return new IndexAst(new IdentityAst(), ParseString(Next()));
                        if (IsOp("[")) return ParseBracket(new IdentityAst());
                        return new IdentityAst();
                    case "..":
                        _pos++;
                        return new RecurseAst();
                    case "(":
                        _pos++;
                        var inner = ParsePipe();
                        Expect(")");
                        return inner;
                    case "[":
                        _pos++;
                        if (IsOp("]"))
                        {
                            _pos++;
                            return new ArrayAst(null);
                        }
                        var items = ParsePipe();
                        Expect("]");
                        return new ArrayAst(items);
                    case "{":
                        return ParseObject();
                    case "$":
                        throw new JqSyntaxException("variables are not supported", token.Position);
                }
                break;
        }
        throw Unexpected();
    }

    private JqAst ParseIf()
    {
        ExpectKeyword("if");
        var branches = new List<(JqAst, JqAst)>();
        var condition = ParsePipe();
        ExpectKeyword("then");
        branches.Add((condition, ParsePipe()));
        while (IsKeyword("elif"))
        {
            _pos++;
            var c = ParsePipe();
            ExpectKeyword("then");
            branches.Add((c, ParsePipe()));
        }
        // jq 1.6 requires the else branch.
        ExpectKeyword("else");
        var otherwise = ParsePipe();
        ExpectKeyword("end");
        return new IfAst(branches, otherwise);
    }

    private JqAst ParseCall()
    {
        var name = Next();
        if (name.Text.StartsWith('$')) throw new JqSyntaxException($"{name.Text} is not defined", name.Position);
        var args = new List<JqAst>();
        if (IsOp("("))
        {
            _pos++;
            args.Add(ParsePipe());
            while (IsOp(";"))
            {
                _pos++;
                args.Add(ParsePipe());
            }
            Expect(")");
        }
        if (!JqBuiltins.IsDefined(name.Text, args.Count))
            throw new JqSyntaxException($"{name.Text}/{args.Count} is not defined", name.Position);
        return new CallAst(name.Text, args, name.Position);
    }

    private JqAst ParseObject()
    {
        Expect("{");
        var entries = new List<(JqAst, JqAst)>();
        if (IsOp("}"))
        {
            _pos++;
            return new ObjectAst(entries);
        }
        while (true)
        {
            var token = Peek;
            JqAst key;
            JqAst? value = null;
            if (token.Kind is TokenKind.Ident or TokenKind.Keyword)
            {
                _pos++;
                key = new LiteralAst(JsonValue.Create(token.Text));
                if (!IsOp(":")) value = new IndexAst(new IdentityAst(), new LiteralAst(JsonValue.Create(token.Text)));
            }
            else if (token.Kind == TokenKind.String)
            {
                _pos++;
                key = ParseString(token);
                if (!IsOp(":")) value = new IndexAst(new IdentityAst(), key);
            }
            else if (token.Kind == TokenKind.Number)
            {
                throw new JqSyntaxException("object keys must be names, strings or (expressions)", token.Position);
            }
            else if (IsOp("("))
            {
                _pos++;
                key = ParsePipe();
                Expect(")");
                if (!IsOp(":")) throw new JqSyntaxException("expected ':' after a computed key", Peek.Position);
            }
            else
            {
                throw Unexpected();
            }
            if (value is null)
            {
                Expect(":");
                value = ParseObjectValue();
            }
            entries.Add((key, value));
            if (IsOp(","))
            {
                _pos++;
                continue;
            }
            Expect("}");
            return new ObjectAst(entries);
        }
    }

    // jq 1.6: an object value is a term, a negated value or a pipe of those; `{a: .b + 1}` needs parentheses.
    private JqAst ParseObjectValue()
    {
        JqAst left = IsOp("-") ? NextNegated() : ParsePostfix();
        if (!IsOp("|")) return left;
        _pos++;
        return new PipeAst(left, ParseObjectValue());
    }

    private NegateAst NextNegated()
    {
        _pos++;
        return new NegateAst(ParseObjectValue());
    }

    private static JqAst ParseString(Token token)
    {
        var parts = token.Parts!;
        if (parts is [{ Source: null } only]) return new LiteralAst(JsonValue.Create(only.Literal));
        return new StringAst(parts.Select(p => p.Source is null ? (p.Literal, (JqAst?)null) : (null, Parse(p.Source, p.SourcePosition))).ToList());
    }
}
