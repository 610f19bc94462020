namespace Actions.Data.Databases.Engines;

/// <summary>Whose lexical rules a piece of SQL follows.</summary>
public enum SqlDialect { Sqlite, Postgres, MySql }

/// <summary>
/// The parts of an engine's SQL lexer that decide where code is: comments, string literals and quoted identifiers,
/// each engine's way (execution.md § Query actions). Used by the template parser (tags inside them are text) and by
/// the one-statement check (a <c>;</c> inside them ends nothing). Iterative and linear: no input can make it recurse.
/// <list type="bullet">
/// <item>every engine: <c>'…'</c> with <c>''</c>, <c>"…"</c> with <c>""</c>, <c>/* … */</c>;</item>
/// <item>SQLite: <c>--</c> to the end of the line, <c>`…`</c>, <c>[…]</c>;</item>
/// <item>PostgreSQL: <c>--</c> to <c>\n</c> or <c>\r</c>, nested block comments, <c>E'…'</c> with backslash escapes,
///   dollar quotes <c>$$…$$</c> / <c>$tag$…$tag$</c> (not right after an identifier character, where <c>$</c> belongs
///   to the identifier);</item>
/// <item>MySQL/MariaDB (default SQL mode): <c>#</c> and <c>-- </c> (followed by a blank or control character) to the
///   end of the line, backslash escapes in <c>'…'</c> and <c>"…"</c> (both strings), <c>`…`</c>; a <c>/*!…*/</c> or
///   <c>/*M!…*/</c> comment is executed by the server, so its content is code.</item>
/// </list>
/// </summary>
public static class SqlLexer
{
    /// <summary>
    /// When a comment, string literal or quoted identifier starts at <paramref name="i"/>, the index just past it (the end
    /// of the input when it is unterminated) and whether it is a comment; else <paramref name="i"/> itself.
    /// </summary>
    public static int SkipQuoted(string sql, int i, SqlDialect dialect, out bool comment)
    {
        comment = false;
        var c = sql[i];
        switch (c)
        {
            case '-' when At(sql, i, "--") && (dialect != SqlDialect.MySql || i + 2 >= sql.Length || sql[i + 2] <= ' ' || sql[i + 2] == '\x7f'):
                comment = true;
                return LineEnd(sql, i, dialect);
            case '#' when dialect == SqlDialect.MySql:
                comment = true;
                return LineEnd(sql, i, dialect);
            case '/' when At(sql, i, "/*"):
                if (dialect == SqlDialect.MySql && (At(sql, i, "/*!") || At(sql, i, "/*M!"))) return i;
                comment = true;
                return BlockCommentEnd(sql, i, nested: dialect == SqlDialect.Postgres);
            case '\'':
                var backslash = dialect == SqlDialect.MySql || (dialect == SqlDialect.Postgres && IsEscapeString(sql, i));
                return QuotedEnd(sql, i, '\'', backslash);
            case '"':
                return QuotedEnd(sql, i, '"', backslash: dialect == SqlDialect.MySql);
            case '`' when dialect != SqlDialect.Postgres:
                return QuotedEnd(sql, i, '`', backslash: false);
            case '[' when dialect == SqlDialect.Sqlite:
                var close = sql.IndexOf(']', i + 1);
                return close < 0 ? sql.Length : close + 1;
            case '$' when dialect == SqlDialect.Postgres && DollarTag(sql, i) is { } tag:
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                return end < 0 ? sql.Length : end + tag.Length;
            default:
                return i;
        }
    }

    /// <summary>
    /// True when the SQL holds more than one statement: anything but blanks, comments and further <c>;</c> after a
    /// <c>;</c> outside every literal and comment.
    /// </summary>
    public static bool HasSeveralStatements(string sql, SqlDialect dialect)
    {
        var sawTerminator = false;
        var i = 0;
        while (i < sql.Length)
        {
            var end = SkipQuoted(sql, i, dialect, out var comment);
            if (end > i)
            {
                if (sawTerminator && !comment) return true;
                i = end;
                continue;
            }
            var c = sql[i];
            if (!char.IsWhiteSpace(c))
            {
                if (c == ';') sawTerminator = true;
                else if (sawTerminator) return true;
            }
            i++;
        }
        return false;
    }

    /// <summary>
    /// The SQL up to its first <c>;</c> outside every literal and comment (all of it when there is none), and whether
    /// that part holds any code (not only blanks and comments). For SQL that holds one statement, what follows the
    /// terminator is only blanks, comments and further <c>;</c>: dropping it changes nothing, and drivers that split on
    /// <c>;</c> themselves (Npgsql) or take an empty statement for a second one no longer see it.
    /// </summary>
    public static (string Statement, bool HasCode) FirstStatement(string sql, SqlDialect dialect)
    {
        var hasCode = false;
        var i = 0;
        while (i < sql.Length)
        {
            var end = SkipQuoted(sql, i, dialect, out var comment);
            if (end > i)
            {
                hasCode |= !comment;
                i = end;
                continue;
            }
            var c = sql[i];
            if (c == ';') return (sql[..i], hasCode);
            hasCode |= !char.IsWhiteSpace(c);
            i++;
        }
        return (sql, hasCode);
    }

    private static int LineEnd(string sql, int i, SqlDialect dialect)
    {
        // PostgreSQL ends a line comment at CR as well as LF; SQLite and MySQL only at LF.
        var end = dialect == SqlDialect.Postgres ? sql.IndexOfAny(['\n', '\r'], i) : sql.IndexOf('\n', i);
        return end < 0 ? sql.Length : end + 1;
    }

    private static int BlockCommentEnd(string sql, int i, bool nested)
    {
        var depth = 0;
        var j = i;
        while (j < sql.Length)
        {
            if (At(sql, j, "/*") && (nested || depth == 0))
            {
                depth++;
                j += 2;
            }
            else if (At(sql, j, "*/"))
            {
                depth--;
                j += 2;
                if (depth == 0) return j;
            }
            else j++;
        }
        return sql.Length;
    }

    /// <summary>The end of a literal quoted by <paramref name="quote"/>, a doubled quote standing for itself.</summary>
    private static int QuotedEnd(string sql, int i, char quote, bool backslash)
    {
        var j = i + 1;
        while (j < sql.Length)
        {
            var c = sql[j];
            if (backslash && c == '\\') j += 2;
            else if (c == quote)
            {
                if (j + 1 < sql.Length && sql[j + 1] == quote) j += 2;
                else return j + 1;
            }
            else j++;
        }
        return sql.Length;
    }

    /// <summary>PostgreSQL's <c>E'…'</c>: the quote right after an <c>E</c> that does not end an identifier.</summary>
    private static bool IsEscapeString(string sql, int quote) =>
        quote >= 1 && sql[quote - 1] is 'E' or 'e' && (quote < 2 || !IsIdentifierChar(sql[quote - 2]));

    /// <summary>The delimiter (<c>$$</c> or <c>$tag$</c>) of a PostgreSQL dollar quote opening at <paramref name="i"/>, or null.</summary>
    private static string? DollarTag(string sql, int i)
    {
        if (i > 0 && IsIdentifierChar(sql[i - 1])) return null;
        var j = i + 1;
        if (j < sql.Length && (char.IsAsciiLetter(sql[j]) || sql[j] == '_' || sql[j] >= '\x80'))
            while (j < sql.Length && (char.IsAsciiLetterOrDigit(sql[j]) || sql[j] == '_' || sql[j] >= '\x80')) j++;
        return j < sql.Length && sql[j] == '$' ? sql[i..(j + 1)] : null;
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c >= '\x80';

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;
}
