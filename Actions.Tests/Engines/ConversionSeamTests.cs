using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;
using Actions.Tests.Reading;

namespace Actions.Tests.Engines;

/// <summary>
/// One value of each kind written by every write path (a query action, an implicit create, an implicit update) is stored
/// the same way on each engine: read back through <c>/api/dataset</c> the rows are equal, and a filter on any of the
/// values finds every row written with it — whichever path wrote it.
/// </summary>
public sealed class ConversionSeamTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    /// <summary>Two rows of nulls (1: stays so, 2: the implicit update fills it); 3 comes from the query action, 4 from the implicit create.</summary>
    private static string Ddl(string engine) => engine switch
    {
        "sqlite" => """
            CREATE TABLE events (id INTEGER PRIMARY KEY, label TEXT, amount DECIMAL(10,2), flag BOOLEAN, day DATE, at DATETIME);
            INSERT INTO events (label) VALUES (NULL), (NULL);
            """,
        "postgres" => """
            CREATE TABLE events (id serial PRIMARY KEY, label text, amount numeric(10,2), flag boolean, day date, at timestamp);
            INSERT INTO events (label) VALUES (NULL), (NULL);
            """,
        _ => """
            CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(100), amount DECIMAL(10,2), flag TINYINT(1), day DATE, at DATETIME) ENGINE=InnoDB;
            INSERT INTO events (label) VALUES (NULL), (NULL);
            """,
    };

    /// <summary>The values written, as a client sends them.</summary>
    private static JsonObject Values() => new()
    {
        ["label"] = "Zoë's \"tab\"", ["amount"] = 12.5, ["flag"] = true, ["day"] = "2025-03-01", ["at"] = "2025-03-01T10:15:30",
    };

    private static readonly string[] Columns = ["label", "amount", "flag", "day", "at"];

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Every_write_path_stores_a_value_the_way_reads_and_filters_expect(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        JsonObject details = engine switch
        {
            "sqlite" => new JsonObject { ["db"] = TargetDatabases.Sqlite(Ddl(engine)) },
            "postgres" => TargetDatabases.PostgresDetails(await TargetDatabases.PostgresAsync(Ddl(engine))),
            _ => TargetDatabases.MySqlDetails(await TargetDatabases.MySqlAsync(Ddl(engine))),
        };
        var databaseId = await TargetDatabases.RegisterAsync(admin, engine, details);
        var (tableId, fields) = await TargetDatabases.TableAsync(admin, databaseId, "events");
        var model = (await admin.Post("/api/card", Api.ModelsApiTests.Model("events", databaseId, tableId).ToJsonString()))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

        var update = await ImplicitAsync(admin, model, "row/update");
        var updateValues = Values();
        updateValues["id"] = 2;
        await RunAsync(admin, update, updateValues);

        JsonObject Tag(string name, string type) => new() { ["id"] = "tag-" + name, ["name"] = name, ["display-name"] = name, ["type"] = type };
        var query = (await admin.Post("/api/action", new JsonObject
        {
            ["name"] = "Log an event", ["type"] = "query", ["model_id"] = model, ["database_id"] = databaseId,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = databaseId, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = "INSERT INTO events (label, amount, flag, day, at) VALUES ({{label}}, {{amount}}, {{flag}}, {{day}}, {{at}})",
                    ["template-tags"] = new JsonObject
                    {
                        ["label"] = Tag("label", "text"), ["amount"] = Tag("amount", "number"), ["flag"] = Tag("flag", "boolean"),
                        ["day"] = Tag("day", "date"), ["at"] = Tag("at", "date"),
                    },
                },
            },
        }.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        await RunAsync(admin, query, Values());

        var created = (await RunAsync(admin, await ImplicitAsync(admin, model, "row/create"), Values()))["created-row"]!;
        Assert.Equal(4, created["id"]!.GetValue<int>());
        AssertWritten(created, Columns.Select(c => created[c]).ToArray(), "created-row");

        JsonArray Field(string name) => new("field", fields[name]["id"]!.GetValue<int>(), null);
        var rows = await RowsAsync(admin, databaseId, tableId, Field, null);
        Assert.Equal([1, 2, 3, 4], rows.Select(r => r[0]!.GetValue<int>()));
        Assert.All(rows[0].Skip(1), Assert.Null);
        foreach (var row in rows.Skip(1)) AssertWritten(row, row.Skip(1).ToArray(), $"row {row[0]}");

        // Each value, bound by the read path as a filter, finds the three rows whichever path wrote them.
        foreach (var column in Columns)
        {
            var found = await RowsAsync(admin, databaseId, tableId, Field, new JsonArray("=", Field(column), Values()[column]!.DeepClone()));
            Assert.True(found.Select(r => r[0]!.GetValue<int>()).SequenceEqual([2, 3, 4]),
                $"{engine}: filtering {column} = {Values()[column]!.ToJsonString()} found rows [{string.Join(", ", found.Select(r => r[0]))}], not [2, 3, 4]");
        }
    }

    /// <summary>The written values as JSON by base type, in the order of <see cref="Columns"/>.</summary>
    private static void AssertWritten(JsonNode context, JsonNode?[] values, string what)
    {
        Assert.True(values.Length == Columns.Length, $"{what}: {context.ToJsonString()}");
        Assert.Equal("Zoë's \"tab\"", values[0]!.GetValue<string>());
        Assert.Equal(12.5m, values[1]!.GetValue<decimal>());
        Assert.True(values[2]!.GetValue<bool>(), $"{what}: {context.ToJsonString()}");
        Assert.Equal("2025-03-01", values[3]!.GetValue<string>());
        Assert.Equal("2025-03-01T10:15:30", values[4]!.GetValue<string>());
    }

    private static async Task<int> ImplicitAsync(ApiClient admin, int model, string kind) =>
        (await admin.Post("/api/action", new { name = kind, type = "implicit", kind, model_id = model })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    private static async Task<JsonNode> RunAsync(ApiClient admin, int action, JsonObject parameters) =>
        (await admin.Post($"/api/action/{action}/execute", new JsonObject { ["parameters"] = parameters }.ToJsonString())).Expect(HttpStatusCode.OK).Json;

    private static async Task<List<JsonArray>> RowsAsync(ApiClient admin, int databaseId, int tableId, Func<string, JsonArray> field, JsonArray? filter)
    {
        var query = new JsonObject
        {
            ["source-table"] = tableId,
            ["fields"] = new JsonArray([field("id"), .. Columns.Select(field)]),
            ["order-by"] = new JsonArray(new JsonArray("asc", field("id"))),
        };
        if (filter is not null) query["filter"] = filter;
        var answer = (await admin.Post("/api/dataset", new JsonObject { ["database"] = databaseId, ["type"] = "query", ["query"] = query }.ToJsonString()))
            .Expect(HttpStatusCode.Accepted).Json;
        Assert.True(answer["status"]!.GetValue<string>() == "completed", answer.ToJsonString());
        return answer["data"]!["rows"]!.AsArray().Select(r => r!.AsArray()).ToList();
    }
}
