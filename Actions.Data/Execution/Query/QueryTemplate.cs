using System.Text;
using Actions.Data.Databases.Engines;

namespace Actions.Data.Execution.Query;

/// <summary>
/// Metabase's native-query template: <c>{{tag}}</c> references, <c>[[ … ]]</c> optional blocks (not nested, at
/// least one tag each), with comments, string literals and quoted identifiers copied untouched by the engine's
/// lexical rules (tags inside them are not tags). Parsed once per action version and rendered for each run.
/// </summary>
public sealed class QueryTemplate
{
    public abstract record Segment;
    public sealed record Text(string Value) : Segment;
    public sealed record Tag(string Name) : Segment;
    public sealed record Optional(IReadOnlyList<Segment> Segments) : Segment;

    public IReadOnlyList<Segment> Segments { get; }

    private QueryTemplate(IReadOnlyList<Segment> segments)
    {
        Segments = segments;
        TagNames = segments.SelectMany(s => s is Optional o ? o.Segments : [s]).OfType<Tag>().Select(t => t.Name).Distinct().ToList();
        RequiredTagNames = segments.OfType<Tag>().Select(t => t.Name).Distinct().ToList();
    }

    /// <summary>Every tag, in order of first appearance.</summary>
    public IReadOnlyList<string> TagNames { get; }

    /// <summary>Tags that appear outside any optional block.</summary>
    public IReadOnlyList<string> RequiredTagNames { get; }

    /// <summary>
    /// Parses a template; throws <see cref="FormatException"/> with a reason. Comments, string literals and quoted
    /// identifiers are found by the <paramref name="dialect"/>'s lexer (<see cref="SqlLexer"/>) and copied untouched: a
    /// <c>{{</c> inside them is text. <c>[[</c>, <c>]]</c> and <c>{{</c> in code are the template's own (before SQLite's
    /// <c>[identifier]</c>). With <paramref name="sqlAware"/> off (HTTP templates) comments and quotes are plain text.
    /// One pass over the text, no recursion: blocks do not nest, so nesting cannot grow the stack.
    /// </summary>
    public static QueryTemplate Parse(string sql, bool sqlAware = true, SqlDialect dialect = SqlDialect.Sqlite)
    {
        var top = new List<Segment>();
        List<Segment>? block = null;
        var text = new StringBuilder();
        void Flush()
        {
            if (text.Length == 0) return;
            (block ?? top).Add(new Text(text.ToString()));
            text.Clear();
        }

        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '[' && At(sql, i, "[["))
            {
                if (block is not null) throw new FormatException("Invalid query: optional blocks '[[ ]]' cannot be nested");
                Flush();
                block = [];
                i += 2;
            }
            else if (c == ']' && At(sql, i, "]]") && block is not null)
            {
                Flush();
                if (!block.OfType<Tag>().Any()) throw new FormatException("Invalid query: an optional block '[[ ]]' must contain a parameter");
                top.Add(new Optional(block));
                block = null;
                i += 2;
            }
            else if (c == '{' && At(sql, i, "{{"))
            {
                var end = sql.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new FormatException("Invalid query: '{{' without a closing '}}'");
                var name = sql[(i + 2)..end].Trim();
                if (name.Length == 0) throw new FormatException("Invalid query: empty '{{}}' parameter");
                Flush();
                (block ?? top).Add(new Tag(name));
                i = end + 2;
            }
            else if (sqlAware && SqlLexer.SkipQuoted(sql, i, dialect, out _) is var quotedEnd && quotedEnd > i)
            {
                text.Append(sql, i, quotedEnd - i);
                i = quotedEnd;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }
        if (block is not null) throw new FormatException("Invalid query: '[[' without a closing ']]'");
        Flush();
        return new QueryTemplate(top);
    }

    /// <summary>
    /// Renders the SQL with one placeholder per tag (<paramref name="placeholder"/> of its index); an optional block
    /// is kept only when every tag in it has a value. Returns the SQL and the tags bound, in placeholder order.
    /// </summary>
    public (string Sql, IReadOnlyList<string> Bound) Render(Func<string, bool> hasValue, Func<int, string> placeholder)
    {
        var sql = new StringBuilder();
        var bound = new List<string>();
        void Write(IEnumerable<Segment> segments)
        {
            foreach (var segment in segments)
            {
                switch (segment)
                {
                    case Text t:
                        sql.Append(t.Value);
                        break;
                    case Tag tag:
                        var index = bound.IndexOf(tag.Name);
                        if (index < 0)
                        {
                            bound.Add(tag.Name);
                            index = bound.Count - 1;
                        }
                        sql.Append(placeholder(index));
                        break;
                    case Optional o when o.Segments.OfType<Tag>().All(t => hasValue(t.Name)):
                        Write(o.Segments);
                        break;
                }
            }
        }
        Write(Segments);
        return (sql.ToString(), bound);
    }

    /// <summary>True when SQL holds more than one statement by the dialect's lexical rules (see <see cref="SqlLexer"/>).</summary>
    public static bool HasSeveralStatements(string sql, SqlDialect dialect = SqlDialect.Sqlite) => SqlLexer.HasSeveralStatements(sql, dialect);

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;
}
