using System.Text;
using Actions.Data.Databases.Engines;
using Actions.Data.Execution.Query;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Actions.Tests.Unit;

/// <summary>
/// Property tests of the SQL template parser and the one-statement check (issue 13): random nesting of <c>[[ ]]</c>,
/// <c>{{ }}</c>, quotes, comments, dollar quotes and odd unicode (lone surrogates, NUL, emoji). Fixed seeds: every run
/// replays the same cases.
/// </summary>
public sealed class QueryTemplatePropertyTests
{
    private const string Seed = "(20261201,1513)";

    private static readonly SqlDialect[] Dialects = [SqlDialect.Sqlite, SqlDialect.Postgres, SqlDialect.MySql];

    /// <summary>Pieces that mean something to the template or to some engine's lexer, and odd characters.</summary>
    private static readonly string[] Pieces =
    [
        "[[", "]]", "[", "]", "{{", "}}", "{{a}}", "{{ b }}", "{{c}}", "'", "''", "\"", "`", "$$", "$t$", "$1", "E'", "e'", "x$",
        "\\", "\\'", "--", "-- ", "--1", "#", "/*", "*/", "/*!", "/*M!", "\n", "\r", ";", " ", "\t", "x", "UPDATE t SET a = 1",
        "DELETE FROM t", "\ud800", "\udc00", "\0", "😀", "é", "\u2028",
    ];

    public static class Arbitraries
    {
        public static Arbitrary<string> Text() =>
            Arb.From(Gen.Frequency(
                    (6, Gen.Elements(Pieces)),
                    (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())))
                .ListOf().Select(parts => string.Concat(parts)));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], Replay = Seed, MaxTest = 1500)]
    public void Parsing_throws_nothing_but_its_format_exception_and_a_parsed_template_renders(string sql)
    {
        foreach (var dialect in Dialects)
        foreach (var sqlAware in new[] { true, false })
        {
            QueryTemplate template;
            try
            {
                template = QueryTemplate.Parse(sql, sqlAware, dialect);
            }
            catch (FormatException)
            {
                continue;
            }
            // With every value, every tag is bound once, in order of first appearance; with none, only tags outside blocks.
            Assert.Equal(template.TagNames, template.Render(_ => true, i => "?" + i).Bound);
            Assert.Equal(template.RequiredTagNames, template.Render(_ => false, i => "?" + i).Bound);
        }
    }

    [Property(Arbitrary = [typeof(Arbitraries)], Replay = Seed, MaxTest = 3000)]
    public void The_statement_check_agrees_with_a_reference_lexer_in_every_dialect(string sql)
    {
        foreach (var dialect in Dialects)
            Assert.True(Reference.HasSeveralStatements(sql, dialect) == SqlLexer.HasSeveralStatements(sql, dialect), $"{dialect}: {Escape(sql)}");
    }

    /// <summary>A template built from known parts, with the SQL it must render to with every value and with none.</summary>
    public sealed record Built(string Template, string AllPresent, string NonePresent, SqlDialect Dialect);

    public static class BuiltArbitraries
    {
        // Closed literals and comments of each dialect (a tag inside is text), always written after a blank.
        private static readonly Dictionary<SqlDialect, string[]> Literals = new()
        {
            [SqlDialect.Sqlite] = ["'a;{{x}}'", "\"q{{x}}\"", "`b{{x}}`", "[c{{x}}]", "-- {{x}} ;\n", "/* {{x}} */", "'it''s'"],
            [SqlDialect.Postgres] = ["$${{x}};'$$", "$t${{x}}$t$", "E'\\'{{x}}'", "-- {{x}}\r", "/* /* {{x}} */ */", "\"i{{x}}\"", "'it''s'"],
            [SqlDialect.MySql] = ["'it\\'s {{x}}'", "\"d\\\"{{x}}\"", "# {{x}} '\n", "-- {{x}}\n", "`b{{x}}`", "/* {{x}} */"],
        };

        private static readonly string[] Code = ["UPDATE t SET a = ", " WHERE b = ", " AND ", "1", " + ", "😀", "é", ",", " "];

        public static Arbitrary<Built> Templates() => Arb.From(
            from dialect in Gen.Elements(Dialects)
            from parts in Gen.Frequency(
                    (3, Gen.Elements(Code).Select(c => (Kind: 0, Text: c))),
                    (2, Gen.Elements(Literals[dialect]).Select(l => (Kind: 1, Text: " " + l))),
                    (2, Gen.Elements("a", "b", "c", "名前").Select(t => (Kind: 2, Text: t))),
                    (1, Gen.Elements("d", "e").Select(t => (Kind: 3, Text: t))))
                .ListOf()
            select Build(dialect, parts));

        private static Built Build(SqlDialect dialect, IEnumerable<(int Kind, string Text)> parts)
        {
            var template = new StringBuilder();
            var all = new StringBuilder();
            var none = new StringBuilder();
            List<string> allOrder = [], noneOrder = [];
            static string Placeholder(List<string> order, string tag)
            {
                if (!order.Contains(tag)) order.Add(tag);
                return "?" + order.IndexOf(tag);
            }
            foreach (var (kind, text) in parts)
            {
                switch (kind)
                {
                    case 0 or 1:
                        template.Append(text);
                        all.Append(text);
                        none.Append(text);
                        break;
                    case 2:
                        template.Append("{{ ").Append(text).Append(" }}");
                        all.Append(Placeholder(allOrder, text));
                        none.Append(Placeholder(noneOrder, text));
                        break;
                    default:
                        // An optional block: kept with every value, dropped whole with none.
                        template.Append("[[ AND ").Append(text).Append(" = {{").Append(text).Append("}} ]]");
                        all.Append(" AND ").Append(text).Append(" = ").Append(Placeholder(allOrder, text)).Append(' ');
                        break;
                }
            }
            return new Built(template.ToString(), all.ToString(), none.ToString(), dialect);
        }
    }

    [Property(Arbitrary = [typeof(BuiltArbitraries)], Replay = Seed, MaxTest = 1000)]
    public void Rendering_places_each_placeholder_where_its_tag_was_and_ignores_tags_in_literals_and_comments(Built built)
    {
        var template = QueryTemplate.Parse(built.Template, dialect: built.Dialect);
        Assert.DoesNotContain("x", template.TagNames);
        Assert.Equal(built.AllPresent, template.Render(_ => true, i => "?" + i).Sql);
        Assert.Equal(built.NonePresent, template.Render(_ => false, i => "?" + i).Sql);
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:x4}"));

    /// <summary>
    /// An independent, state-machine reading of the rules in execution.md § Query actions: where code is, per dialect.
    /// "Several statements": after a ';' in code, anything but blanks, ';' and comments.
    /// </summary>
    private static class Reference
    {
        private enum State { Code, Line, Block, Single, Double, Back, Bracket, Dollar }

        public static bool HasSeveralStatements(string s, SqlDialect d)
        {
            var state = State.Code;
            var escapes = false;
            var depth = 0;
            var tag = "";
            var ended = false;
            char At(int k) => k < s.Length ? s[k] : '\uffff';
            bool IdentChar(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '$' || c >= '\x80' && c != '\uffff';
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                switch (state)
                {
                    case State.Code:
                        var opens = State.Code;
                        if (c == '-' && At(i + 1) == '-' && (d != SqlDialect.MySql || i + 2 >= s.Length || At(i + 2) <= ' ' || At(i + 2) == '\x7f'))
                        {
                            state = State.Line;
                            i++;
                            continue;
                        }
                        if (c == '#' && d == SqlDialect.MySql)
                        {
                            state = State.Line;
                            continue;
                        }
                        if (c == '/' && At(i + 1) == '*' && !(d == SqlDialect.MySql && (At(i + 2) == '!' || At(i + 2) == 'M' && At(i + 3) == '!')))
                        {
                            state = State.Block;
                            depth = 1;
                            i++;
                            continue;
                        }
                        if (c == '\'')
                        {
                            opens = State.Single;
                            escapes = d == SqlDialect.MySql || d == SqlDialect.Postgres && i >= 1 && At(i - 1) is 'E' or 'e' && (i < 2 || !IdentChar(At(i - 2)));
                        }
                        else if (c == '"')
                        {
                            opens = State.Double;
                            escapes = d == SqlDialect.MySql;
                        }
                        else if (c == '`' && d != SqlDialect.Postgres) opens = State.Back;
                        else if (c == '[' && d == SqlDialect.Sqlite) opens = State.Bracket;
                        else if (c == '$' && d == SqlDialect.Postgres && (i == 0 || !IdentChar(At(i - 1))))
                        {
                            var j = i + 1;
                            if (At(j) is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_' || At(j) >= '\x80' && At(j) != '\uffff')
                                while (IdentChar(At(j)) && At(j) != '$') j++;
                            if (At(j) == '$')
                            {
                                opens = State.Dollar;
                                tag = s[i..(j + 1)];
                                i = j;
                            }
                        }
                        if (opens != State.Code)
                        {
                            if (ended) return true;
                            state = opens;
                            continue;
                        }
                        if (c == ';') ended = true;
                        else if (ended && !char.IsWhiteSpace(c)) return true;
                        continue;
                    case State.Line:
                        if (c == '\n' || c == '\r' && d == SqlDialect.Postgres) state = State.Code;
                        continue;
                    case State.Block:
                        if (c == '*' && At(i + 1) == '/')
                        {
                            i++;
                            if (--depth == 0) state = State.Code;
                        }
                        else if (c == '/' && At(i + 1) == '*' && d == SqlDialect.Postgres)
                        {
                            i++;
                            depth++;
                        }
                        continue;
                    case State.Single or State.Double or State.Back:
                        var quote = state == State.Single ? '\'' : state == State.Double ? '"' : '`';
                        if (escapes && state != State.Back && c == '\\') i++;
                        else if (c == quote && At(i + 1) == quote) i++;
                        else if (c == quote) state = State.Code;
                        continue;
                    case State.Bracket:
                        if (c == ']') state = State.Code;
                        continue;
                    case State.Dollar:
                        if (c == '$' && string.CompareOrdinal(s, i, tag, 0, tag.Length) == 0)
                        {
                            i += tag.Length - 1;
                            state = State.Code;
                        }
                        continue;
                }
            }
            return false;
        }
    }
}
