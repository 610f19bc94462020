using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Reading;

/// <summary>The same <c>items</c> table on each engine, registered through the API, with its fields by name.</summary>
public sealed record ReadTarget(string Engine, int DatabaseId, int TableId, Dictionary<string, JsonNode> Fields, string Database)
{
    public static readonly TheoryData<string> Engines = new() { "sqlite", "postgres", "mysql" };

    private const string Rows = """
        (1, 'Apple', 1.50, 10, {T}, '2020-01-02', '2020-01-02 10:00:00', 's1'),
        (2, 'banana', 0.25, NULL, {F}, '2021-03-04', '2021-03-04 11:30:00', 's2'),
        (3, 'Cherry pie', 3.00, 5, {T}, '2019-12-31', '2019-12-31 23:59:59', 's3'),
        (4, 'apple tart', 2.75, 0, {F}, NULL, NULL, 's4'),
        (5, '100%_real', 1.00, 7, {T}, '2022-05-06', '2022-05-06 00:00:00', 's5')
        """;

    public static async Task<ReadTarget> CreateAsync(ApiClient admin, string engine, string extraDdl = "")
    {
        string database;
        JsonObject details;
        switch (engine)
        {
            case "sqlite":
                database = TargetDatabases.Sqlite($"""
                    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, qty INTEGER, active BOOLEAN, born DATE, seen DATETIME, secret TEXT);
                    INSERT INTO items VALUES {Rows.Replace("{T}", "1").Replace("{F}", "0")};
                    {extraDdl}
                    """);
                details = new JsonObject { ["db"] = database };
                break;
            case "postgres":
                database = await TargetDatabases.PostgresAsync($"""
                    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10, 2), qty INTEGER, active BOOLEAN, born DATE, seen TIMESTAMP, secret TEXT);
                    INSERT INTO items VALUES {Rows.Replace("{T}", "true").Replace("{F}", "false")};
                    {extraDdl}
                    """);
                details = TargetDatabases.PostgresDetails(database);
                break;
            default:
                database = await TargetDatabases.MySqlAsync($"""
                    CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, price DECIMAL(10, 2), qty INT, active TINYINT(1), born DATE, seen DATETIME, secret VARCHAR(100));
                    INSERT INTO items VALUES {Rows.Replace("{T}", "1").Replace("{F}", "0")};
                    {extraDdl}
                    """);
                details = TargetDatabases.MySqlDetails(database);
                break;
        }
        var id = await TargetDatabases.RegisterAsync(admin, engine, details, enableActions: false);
        var (tableId, fields) = await TargetDatabases.TableAsync(admin, id, "items");
        (await admin.Put($"/api/field/{fields["secret"]["id"]}", new { visibility_type = "sensitive" })).Expect(HttpStatusCode.OK);
        return new ReadTarget(engine, id, tableId, fields, database);
    }

    public JsonArray Field(string name) => new("field", Fields[name]["id"]!.GetValue<int>(), null);

    /// <summary>Runs SQL on the target past the app (to see what a read changed).</summary>
    public async Task<string> ScalarAsync(string sql)
    {
        switch (Engine)
        {
            case "sqlite":
                await using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False"))
                {
                    await c.OpenAsync();
                    await using var command = c.CreateCommand();
                    command.CommandText = sql;
                    return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                }
            case "postgres":
                var pg = TargetDatabases.PostgresAdmin();
                pg.Database = Database;
                pg.Pooling = false;
                await using (var c = new Npgsql.NpgsqlConnection(pg.ConnectionString))
                {
                    await c.OpenAsync();
                    await using var command = new Npgsql.NpgsqlCommand(sql, c);
                    return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                }
            default:
                var my = TargetDatabases.MySqlAdmin();
                my.Database = Database;
                my.Pooling = false;
                await using (var c = new MySqlConnector.MySqlConnection(my.ConnectionString))
                {
                    await c.OpenAsync();
                    await using var command = new MySqlConnector.MySqlCommand(sql, c);
                    return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                }
        }
    }

    public static JsonObject Native(int databaseId, string sql, JsonObject? tags = null, JsonArray? parameters = null) => new()
    {
        ["database"] = databaseId, ["type"] = "native",
        ["native"] = new JsonObject { ["query"] = sql, ["template-tags"] = tags ?? new JsonObject() },
        ["parameters"] = parameters ?? new JsonArray(),
    };

    public JsonObject Native(string sql, JsonObject? tags = null, JsonArray? parameters = null) => Native(DatabaseId, sql, tags, parameters);

    public JsonObject Query(JsonObject? clauses = null)
    {
        var query = new JsonObject { ["source-table"] = TableId };
        foreach (var (k, v) in clauses ?? []) query[k] = v?.DeepClone();
        return new JsonObject { ["database"] = DatabaseId, ["type"] = "query", ["query"] = query };
    }
}
