using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>
/// Only one statement per query action, on the real engines (issue 13, defect 10): each spelling that hid a second
/// statement from the check (a dollar quote, an E-string, a CR-ended comment on PostgreSQL; a '#' comment, a backslash
/// escape, '--1' on MariaDB; a [bracketed] name on SQLite) is refused and deletes nothing, and single statements with a
/// ';' inside a literal, comment or quoted name run.
/// </summary>
public sealed class QueryStatementCheckTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private const string Refused = "Only one SQL statement can be executed per action.";

    private sealed record Target(ApiClient Admin, int DatabaseId, int ModelId, Func<string, Task<long>> Count);

    private async Task<Target> CreateAsync(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        JsonObject details;
        Func<string, Task<long>> count;
        switch (engine)
        {
            case "sqlite":
                var path = TargetDatabases.Sqlite("""
                    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, "it's" INTEGER, "weird;ident" INTEGER);
                    INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two');
                    """);
                details = new JsonObject { ["db"] = path };
                count = where =>
                {
                    using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
                    c.Open();
                    using var cmd = c.CreateCommand();
                    cmd.CommandText = "SELECT count(*) FROM notes WHERE " + where;
                    return Task.FromResult((long)cmd.ExecuteScalar()!);
                };
                break;
            case "postgres":
                var pg = await TargetDatabases.PostgresAsync("""
                    CREATE TABLE notes (id int PRIMARY KEY, body text, "weird;ident" int);
                    INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two');
                    """);
                details = TargetDatabases.PostgresDetails(pg);
                count = async where =>
                {
                    var b = TargetDatabases.PostgresAdmin();
                    b.Database = pg;
                    b.Pooling = false;
                    await using var c = new Npgsql.NpgsqlConnection(b.ConnectionString);
                    await c.OpenAsync();
                    await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM notes WHERE " + where, c);
                    return (long)(await cmd.ExecuteScalarAsync())!;
                };
                break;
            default:
                var my = await TargetDatabases.MySqlAsync("""
                    CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100), `weird;ident` INT) ENGINE=InnoDB;
                    INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two');
                    """);
                details = TargetDatabases.MySqlDetails(my);
                count = async where =>
                {
                    var b = TargetDatabases.MySqlAdmin();
                    b.Database = my;
                    b.Pooling = false;
                    await using var c = new MySqlConnector.MySqlConnection(b.ConnectionString);
                    await c.OpenAsync();
                    await using var cmd = new MySqlConnector.MySqlCommand("SELECT count(*) FROM notes WHERE " + where, c);
                    return System.Convert.ToInt64(await cmd.ExecuteScalarAsync());
                };
                break;
        }
        var databaseId = await TargetDatabases.RegisterAsync(admin, engine, details);
        var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, "notes");
        var model = (await admin.Post("/api/card", Api.ModelsApiTests.Model("notes", databaseId, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        return new Target(admin, databaseId, model, count);
    }

    private static async Task<ApiClient.Response> RunAsync(Target t, string sql, JsonObject? parameters = null, JsonObject? tags = null)
    {
        var body = new JsonObject
        {
            ["name"] = "statement", ["type"] = "query", ["model_id"] = t.ModelId, ["database_id"] = t.DatabaseId,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = t.DatabaseId, ["type"] = "native",
                ["native"] = new JsonObject { ["query"] = sql, ["template-tags"] = tags ?? new JsonObject() },
            },
        };
        var id = (await t.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        return await t.Admin.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = parameters ?? [] }.ToJsonString());
    }

    private const string Delete = "DELETE FROM notes WHERE id = 2";

    [Theory]
    [InlineData("postgres", "UPDATE notes SET body = $$it's$$ WHERE id = 1; " + Delete + "; -- '")]
    [InlineData("postgres", "UPDATE notes SET body = $tag$it's$tag$ WHERE id = 1; " + Delete + "; -- '")]
    [InlineData("postgres", "UPDATE notes SET body = E'it\\'s' WHERE id = 1; " + Delete + "; -- '")]
    [InlineData("postgres", "UPDATE notes SET body = 'x' WHERE id = 1 --\r; " + Delete)]
    [InlineData("mysql", "UPDATE notes SET body = 'x' WHERE id = 1 # it's\n; " + Delete + "; -- '")]
    [InlineData("mysql", "UPDATE notes SET body = 'it\\'s' WHERE id = 1; " + Delete + "; -- '")]
    [InlineData("mysql", "UPDATE notes SET body = \"it\\\"s\" WHERE id = 1; " + Delete + "; -- \"")]
    [InlineData("mysql", "UPDATE notes SET body = 'x' WHERE id = 3 --1; " + Delete)]
    [InlineData("sqlite", "UPDATE notes SET [it's] = 1 WHERE id = 1; " + Delete + "; -- '")]
    [InlineData("sqlite", "UPDATE notes SET body = 'x' WHERE id = 1; " + Delete)]
    public async Task Each_spelling_of_a_second_statement_is_refused_and_nothing_is_deleted(string engine, string sql)
    {
        var t = await CreateAsync(engine);
        Assert.Equal(Refused, (await RunAsync(t, sql)).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        Assert.Equal(1, await t.Count("id = 2"));
        Assert.Equal(1, await t.Count("id = 1 AND body = 'one'"));
    }

    [Theory]
    [InlineData("postgres", "UPDATE notes SET body = $$;$$ WHERE id = 1", ";")]
    [InlineData("postgres", "UPDATE notes SET body = $t$a;'b$t$ WHERE id = 1", "a;'b")]
    [InlineData("postgres", "UPDATE notes SET body = E'it\\'s;' WHERE id = 1", "it's;")]
    [InlineData("postgres", "UPDATE notes SET body = 'a;b' /* ; /* nested ; */ ; */ WHERE id = 1", "a;b")]
    [InlineData("postgres", "UPDATE notes SET \"weird;ident\" = 5, body = 'w' WHERE id = 1 -- ;", "w")]
    [InlineData("mysql", "UPDATE notes SET body = 'a;b' WHERE id = 1 # ;", "a;b")]
    [InlineData("mysql", "UPDATE notes SET body = \"a\\\";b\" WHERE id = 1", "a\";b")]
    [InlineData("mysql", "UPDATE notes SET body = 'it\\'s;' WHERE id = 1 -- ;", "it's;")]
    [InlineData("mysql", "UPDATE notes SET `weird;ident` = 5, body = 'w' WHERE id = 1;", "w")]
    [InlineData("sqlite", "UPDATE notes SET \"weird;ident\" = 5, body = 'a;b' WHERE id = 1 -- ;", "a;b")]
    [InlineData("sqlite", "UPDATE notes SET [weird;ident] = 5, body = 'w' WHERE id = 1;", "w")]
    [InlineData("sqlite", "UPDATE notes SET `weird;ident` = 5, body = 'w' /* ; */ WHERE id = 1", "w")]
    [InlineData("postgres", "UPDATE notes SET body = 'w' WHERE id = 1; -- done", "w")]
    [InlineData("postgres", "UPDATE notes SET body = 'w' WHERE id = 1;; /* done */ ;", "w")]
    [InlineData("mysql", "UPDATE notes SET body = 'w' WHERE id = 1; # done", "w")]
    [InlineData("mysql", "UPDATE notes SET body = 'w' WHERE id = 1;; -- done", "w")]
    [InlineData("sqlite", "UPDATE notes SET body = 'w' WHERE id = 1;; -- done", "w")]
    public async Task Single_statements_with_a_semicolon_inside_a_literal_comment_or_name_run(string engine, string sql, string body)
    {
        var t = await CreateAsync(engine);
        Assert.Equal("""{"rows-affected":1}""", (await RunAsync(t, sql)).Expect(HttpStatusCode.OK).Body);
        Assert.Equal(1, await t.Count("id = 1 AND body = '" + body.Replace("'", "''", StringComparison.Ordinal) + "'"));
        Assert.Equal(2, await t.Count("1 = 1"));
    }

    [Theory]
    [InlineData("postgres", "")]
    [InlineData("postgres", " -- nothing ; ")]
    [InlineData("mysql", "; # nothing")]
    [InlineData("sqlite", "/* nothing */ ;")]
    public async Task Sql_with_no_statement_is_a_400_not_a_crash(string engine, string sql)
    {
        var t = await CreateAsync(engine);
        var response = (await RunAsync(t, sql)).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Error executing Action: Error executing write query: The query is empty.", response["message"]!.GetValue<string>());
        Assert.Equal(2, await t.Count("1 = 1"));
    }

    [Theory]
    [InlineData("postgres", "UPDATE notes SET body = $${{skipped}}$$ WHERE id = {{id}}", "{{skipped}}")]
    [InlineData("mysql", "UPDATE notes SET body = 'c' WHERE id = {{id}} # {{skipped}}", "c")]
    [InlineData("mysql", "UPDATE notes SET body = \"{{skipped}}\" WHERE id = {{id}}", "{{skipped}}")]
    [InlineData("sqlite", "UPDATE notes SET body = 'c' WHERE [id] = {{id}} -- {{skipped}}", "c")]
    public async Task A_tag_inside_an_engines_literal_or_comment_is_text_and_parameters_still_bind(string engine, string sql, string body)
    {
        var t = await CreateAsync(engine);
        var tags = new JsonObject { ["id"] = new JsonObject { ["name"] = "id", ["display-name"] = "ID", ["type"] = "number" } };
        Assert.Equal("""{"rows-affected":1}""", (await RunAsync(t, sql, new JsonObject { ["id"] = 1 }, tags)).Expect(HttpStatusCode.OK).Body);
        Assert.Equal(1, await t.Count("id = 1 AND body = '" + body + "'"));
    }
}
