using Actions.Data.Databases.Engines;
using Actions.Data.Execution.Query;

namespace Actions.Tests.ActionApi;

public sealed class QueryTemplateTests
{
    private static string Render(string sql, params string[] withValues) =>
        QueryTemplate.Parse(sql).Render(withValues.Contains, i => $"?{i}").Sql;

    [Fact]
    public void Tags_become_placeholders_and_repeat_the_same_placeholder()
    {
        var t = QueryTemplate.Parse("UPDATE t SET a = {{ a }}, b = {{b}} WHERE a = {{a}}");
        Assert.Equal(["a", "b"], t.TagNames);
        var (sql, bound) = t.Render(_ => true, i => $"@p{i}");
        Assert.Equal("UPDATE t SET a = @p0, b = @p1 WHERE a = @p0", sql);
        Assert.Equal(["a", "b"], bound);
    }

    [Fact]
    public void Optional_blocks_are_kept_only_when_every_tag_has_a_value()
    {
        const string sql = "SELECT 1 WHERE 1=1 [[AND a = {{a}} AND b = {{b}}]] [[AND c = {{c}}]]";
        Assert.Equal("SELECT 1 WHERE 1=1 AND a = ?0 AND b = ?1 ", Render(sql, "a", "b"));
        Assert.Equal("SELECT 1 WHERE 1=1  ", Render(sql, "a"));
        Assert.Equal("SELECT 1 WHERE 1=1  AND c = ?0", Render(sql, "c"));
        Assert.Equal(["c"], QueryTemplate.Parse(sql).TagNames.Where(t => t == "c"));
        Assert.Empty(QueryTemplate.Parse(sql).RequiredTagNames);
    }

    [Theory]
    [InlineData("SELECT '{{not_a_tag}}', {{real}}")]
    [InlineData("SELECT 1 -- {{not_a_tag}}\n, {{real}}")]
    [InlineData("SELECT /* {{not_a_tag}} [[ */ {{real}}")]
    [InlineData("SELECT 'it''s {{not_a_tag}}', {{real}}")]
    public void Comments_and_strings_are_copied_untouched(string sql)
    {
        var t = QueryTemplate.Parse(sql);
        Assert.Equal(["real"], t.TagNames);
        Assert.Contains("{{not_a_tag}}", t.Render(_ => true, _ => "?").Sql);
    }

    [Theory]
    [InlineData("SELECT [[ a [[ {{b}} ]] ]]", "nested")]
    [InlineData("SELECT [[ 1 = 1 ]]", "must contain a parameter")]
    [InlineData("SELECT {{a", "closing")]
    [InlineData("SELECT [[ {{a}}", "closing")]
    [InlineData("SELECT {{ }}", "empty")]
    public void Malformed_templates_are_refused_with_a_reason(string sql, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => QueryTemplate.Parse(sql)).Message);

    [Fact]
    public void Unicode_and_empty_templates_work()
    {
        Assert.Equal("UPDATE 表 SET 名前 = ?0 -- ✓", Render("UPDATE 表 SET 名前 = {{名前}} -- ✓", "名前"));
        Assert.Empty(QueryTemplate.Parse("").Segments);
        Assert.Equal("SELECT ]] 1", Render("SELECT ]] 1"));
    }

    [Theory]
    [InlineData("UPDATE t SET a = 1", false)]
    [InlineData("UPDATE t SET a = 1;", false)]
    [InlineData("UPDATE t SET a = 1; -- trailing comment", false)]
    [InlineData("UPDATE t SET a = ';'", false)]
    [InlineData("UPDATE t SET a = 1; DELETE FROM t", true)]
    [InlineData("UPDATE t SET a = 1;/* c */ DROP TABLE t", true)]
    [InlineData("UPDATE \"t;x\" SET a = 1", false)]
    public void Several_statements_are_detected(string sql, bool several) => Assert.Equal(several, QueryTemplate.HasSeveralStatements(sql));

    [Theory]
    [InlineData(SqlDialect.Postgres, "UPDATE t SET a = $$it's$$; DELETE FROM t; -- '", true)]
    [InlineData(SqlDialect.Postgres, "UPDATE t SET a = $q$;$q$ WHERE b = E'\\';'", false)]
    [InlineData(SqlDialect.Postgres, "UPDATE t SET a$$ = 1; DELETE FROM t", true)]
    [InlineData(SqlDialect.Postgres, "UPDATE t SET a = 1 /* /* */ ; */", false)]
    [InlineData(SqlDialect.Postgres, "UPDATE t SET a = 1 --\r; DELETE FROM t", true)]
    [InlineData(SqlDialect.MySql, "UPDATE t SET a = 1 # it's\n; DELETE FROM t", true)]
    [InlineData(SqlDialect.MySql, "UPDATE t SET a = 'it\\'s'; DELETE FROM t; -- '", true)]
    [InlineData(SqlDialect.MySql, "UPDATE t SET a = 1 --1; DELETE FROM t", true)]
    [InlineData(SqlDialect.MySql, "UPDATE t SET a = 1 /*!; DELETE FROM t */", true)]
    [InlineData(SqlDialect.MySql, "UPDATE t SET a = \"x\\\";\" -- ;", false)]
    [InlineData(SqlDialect.Sqlite, "UPDATE t SET [it's] = 1; DELETE FROM t; -- '", true)]
    [InlineData(SqlDialect.Sqlite, "UPDATE t SET [a;b] = `c;d`", false)]
    [InlineData(SqlDialect.Sqlite, "UPDATE t SET a = 'it\\'; DELETE FROM t", true)]
    public void Several_statements_follow_each_engines_lexical_rules(SqlDialect dialect, string sql, bool several) =>
        Assert.Equal(several, QueryTemplate.HasSeveralStatements(sql, dialect));

    [Fact]
    public void Tags_inside_an_engines_literals_and_comments_are_text()
    {
        Assert.Equal(["id"], QueryTemplate.Parse("UPDATE t SET a = $${{x}}$$ WHERE id = {{id}}", dialect: SqlDialect.Postgres).TagNames);
        Assert.Equal(["x", "id"], QueryTemplate.Parse("UPDATE t SET a = $${{x}}$$ WHERE id = {{id}}", dialect: SqlDialect.MySql).TagNames);
        Assert.Equal(["id"], QueryTemplate.Parse("UPDATE t SET a = 1 WHERE id = {{id}} # {{x}}", dialect: SqlDialect.MySql).TagNames);
        Assert.Equal(["id"], QueryTemplate.Parse("UPDATE t SET a = 'it\\'s {{x}}' WHERE id = {{id}}", dialect: SqlDialect.MySql).TagNames);
        // SQLite's [name] does not swallow the template's own [[ ]].
        Assert.Equal("UPDATE [t] SET a = 1 AND b = ?0", QueryTemplate.Parse("UPDATE [t] SET a = 1[[ AND b = {{b}}]]", dialect: SqlDialect.Sqlite)
            .Render(_ => true, i => "?" + i).Sql);
    }

    /// <summary>
    /// Issue 13, defect 1: the template parser is one loop over the text (blocks do not nest), so no nesting or size grows
    /// the stack; 100,000 nested openers answer the parser's own error, and huge templates parse and render.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Deep_nesting_and_huge_templates_never_overflow_the_stack(bool sqlAware)
    {
        const int n = 100_000;
        var blocks = Assert.Throws<FormatException>(() => QueryTemplate.Parse(string.Concat(Enumerable.Repeat("[[", n)) + "{{a}}" + string.Concat(Enumerable.Repeat("]]", n)), sqlAware));
        Assert.Contains("cannot be nested", blocks.Message);
        Assert.Throws<FormatException>(() => QueryTemplate.Parse(string.Concat(Enumerable.Repeat("{{", n)), sqlAware));
        // "{{{{…a}}}}": the first "}}" closes the first "{{"; the name is the braces in between.
        var braces = QueryTemplate.Parse(string.Concat(Enumerable.Repeat("{{", n)) + "a" + string.Concat(Enumerable.Repeat("}}", n)), sqlAware);
        Assert.Single(braces.TagNames);
        var many = QueryTemplate.Parse(string.Concat(Enumerable.Repeat("[[ {{a}} ]] ({{b}}) ", n)), sqlAware);
        Assert.Equal(["a", "b"], many.TagNames);
        Assert.Equal(2 * n, many.Render(_ => true, i => "?" + i).Sql.Count(c => c == '?'));
        var comments = new string('(', n) + string.Concat(Enumerable.Repeat("/* /* ' $$ -- ", n));
        Assert.Empty(QueryTemplate.Parse(comments, sqlAware).TagNames);
        foreach (var dialect in new[] { SqlDialect.Sqlite, SqlDialect.Postgres, SqlDialect.MySql })
        {
            Assert.False(QueryTemplate.HasSeveralStatements(comments, dialect));
            Assert.True(QueryTemplate.HasSeveralStatements(string.Concat(Enumerable.Repeat("; x", n)), dialect));
        }
    }
}
