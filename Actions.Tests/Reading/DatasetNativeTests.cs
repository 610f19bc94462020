using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Reading;

/// <summary><c>POST /api/dataset</c> with native SQL on each engine: template values bound, types, read-only, the failed form.</summary>
public sealed class DatasetNativeTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static JsonArray Param(string tag, JsonNode? value, string type = "category") => new(new JsonObject
    {
        ["type"] = type, ["target"] = new JsonArray("variable", new JsonArray("template-tag", tag)), ["value"] = value,
    });

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Template_values_are_bound_and_the_answer_has_Metabase_shape(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var body = t.Native("SELECT id, name FROM items WHERE qty > {{min}} [[AND name <> {{skip}}]] ORDER BY id",
            new JsonObject { ["min"] = new JsonObject { ["type"] = "number", ["name"] = "min", ["display-name"] = "Min" } },
            Param("min", 5, "number/="));
        var answer = (await admin.Post("/api/dataset", body.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("completed", answer["status"]!.GetValue<string>());
        Assert.Equal("[[1,\"Apple\"],[5,\"100%_real\"]]", answer["data"]!["rows"]!.ToJsonString());
        Assert.Equal(2, answer["row_count"]!.GetValue<int>());
        Assert.Equal(t.DatabaseId, answer["database_id"]!.GetValue<int>());
        Assert.Equal("ad-hoc", answer["context"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(body, answer["json_query"]));
        Assert.True(answer["running_time"]!.GetValue<long>() >= 0);
        Assert.EndsWith("Z", answer["started_at"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("UTC", answer["data"]!["results_timezone"]!.GetValue<string>());
        Assert.Null(answer["data"]!["rows_truncated"]);
        var cols = answer["data"]!["cols"]!.AsArray();
        Assert.Equal(["id", "name"], cols.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("type/Integer", cols[0]!["base_type"]!.GetValue<string>());
        Assert.Equal("type/Text", cols[1]!["base_type"]!.GetValue<string>());
        Assert.Equal("native", cols[0]!["source"]!.GetValue<string>());
        Assert.Equal("[\"field\",\"id\",{\"base-type\":\"type/Integer\"}]", cols[0]!["field_ref"]!.ToJsonString());
        Assert.Equal(2, answer["data"]!["results_metadata"]!["columns"]!.AsArray().Count);
        // The SQL that ran holds a placeholder, not the value; the value is listed apart.
        var native = answer["data"]!["native_form"]!;
        Assert.DoesNotContain("5", native["query"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("skip", native["query"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("[5]", native["params"]!.ToJsonString());

        // A text value is a value, never SQL.
        var injection = t.Native("SELECT count(*) AS n FROM items WHERE name = {{name}}", parameters: Param("name", "x' OR '1'='1"));
        var rows = (await admin.Post("/api/dataset", injection.ToJsonString())).Expect(HttpStatusCode.Accepted).Json["data"]!["rows"]!;
        Assert.Equal(0, rows[0]![0]!.GetValue<long>());
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Values_come_back_as_json_by_base_type(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var answer = (await admin.Post("/api/dataset", t.Native("SELECT id, price, active, born, seen, qty FROM items WHERE id IN (1, 2) ORDER BY id").ToJsonString()))
            .Expect(HttpStatusCode.Accepted).Json;
        var rows = answer["data"]!["rows"]!.AsArray();
        Assert.Equal(1.5m, rows[0]![1]!.GetValue<decimal>());
        Assert.True(rows[0]![2]!.GetValue<bool>());
        Assert.False(rows[1]![2]!.GetValue<bool>());
        Assert.Equal("2020-01-02", rows[0]![3]!.GetValue<string>());
        Assert.Equal("2020-01-02T10:00:00", rows[0]![4]!.GetValue<string>());
        Assert.Null(rows[1]![5]);
        var types = answer["data"]!["cols"]!.AsArray().Select(c => c!["base_type"]!.GetValue<string>()).ToList();
        Assert.Equal("type/Boolean", types[2]);
        Assert.Equal("type/Date", types[3]);
        Assert.Equal("type/DateTime", types[4]);
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_write_through_the_dataset_fails_with_the_database_message_and_changes_nothing(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        foreach (var write in new[] { "DELETE FROM items WHERE id = 1", "UPDATE items SET name = 'x'", "INSERT INTO items (id, name) VALUES (9, 'new')" })
        {
            var answer = (await admin.Post("/api/dataset", t.Native(write).ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
            Assert.Equal("failed", answer["status"]!.GetValue<string>());
            Assert.Equal("invalid-query", answer["error_type"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(answer["error"]!.GetValue<string>()));
            Assert.Equal(0, answer["row_count"]!.GetValue<int>());
            Assert.Equal("{\"rows\":[],\"cols\":[]}", answer["data"]!.ToJsonString());
        }
        Assert.Equal("5", await t.ScalarAsync("SELECT count(*) FROM items"));
        Assert.Equal("Apple", await t.ScalarAsync("SELECT name FROM items WHERE id = 1"));
        // The pooled connections that ran the reads are writable again for actions: read-only was the transaction's.
        (await admin.Put($"/api/database/{t.DatabaseId}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = true } }.ToJsonString()))
            .Expect(HttpStatusCode.OK);
        var model = (await admin.Post("/api/card", Api.ModelsApiTests.Model("Items", t.DatabaseId, t.TableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        for (var i = 0; i < 3; i++)
        {
            var action = new JsonObject
            {
                ["name"] = $"Rename {i}", ["type"] = "query", ["model_id"] = model, ["database_id"] = t.DatabaseId,
                ["dataset_query"] = new JsonObject
                {
                    ["database"] = t.DatabaseId, ["type"] = "native",
                    ["native"] = new JsonObject { ["query"] = $"UPDATE items SET name = 'Renamed {i}' WHERE id = 2", ["template-tags"] = new JsonObject() },
                },
            };
            var id = (await admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
            (await admin.Post($"/api/action/{id}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK);
            Assert.Equal($"Renamed {i}", await t.ScalarAsync("SELECT name FROM items WHERE id = 2"));
        }
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_query_the_database_refuses_is_the_failed_form(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var body = t.Native("SELECT nope FROM items");
        var answer = (await admin.Post("/api/dataset", body.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("failed", answer["status"]!.GetValue<string>());
        Assert.Contains("nope", answer["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(t.DatabaseId, answer["database_id"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(body, answer["json_query"]));
        Assert.NotNull(answer["started_at"]);
        Assert.NotNull(answer["running_time"]);

        // Two statements never run, whatever the second one is.
        var several = (await admin.Post("/api/dataset", t.Native("SELECT 1; DELETE FROM items").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("Only one SQL statement can be run per query.", several["error"]!.GetValue<string>());
        // A required tag without a value.
        var missing = (await admin.Post("/api/dataset", t.Native("SELECT * FROM items WHERE id = {{id}}",
            new JsonObject { ["id"] = new JsonObject { ["type"] = "number", ["display-name"] = "Item" } }).ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("You'll need to pick a value for 'Item' before this query can run.", missing["error"]!.GetValue<string>());
        // A value that is not of the tag's type.
        var wrong = (await admin.Post("/api/dataset", t.Native("SELECT * FROM items WHERE id = {{id}}",
            new JsonObject { ["id"] = new JsonObject { ["type"] = "number" } }, Param("id", "abc")).ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("failed", wrong["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_the_failed_form()
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, "sqlite");
        (await admin.Post("/api/dataset", t.Native("SELECT 1 AS one").ToJsonString())).Expect(HttpStatusCode.Accepted);
        File.Delete(t.Database);
        var answer = (await admin.Post("/api/dataset", t.Native("SELECT 1 AS one").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("failed", answer["status"]!.GetValue<string>());
        Assert.Equal(Actions.Data.Databases.Sqlite.SqliteEngine.MovedMessage, answer["error"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task At_most_2000_rows_come_back_and_a_capped_answer_says_so(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var ddl = engine switch
        {
            "postgres" => "CREATE TABLE many AS SELECT g AS n FROM generate_series(1, 2500) g;",
            "mysql" => """
                CREATE TABLE digits (d INTEGER); INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
                CREATE TABLE many (n INTEGER);
                INSERT INTO many (n) SELECT n FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d + 1 AS n FROM digits a, digits b, digits c, digits e) x WHERE n <= 2500;
                """,
            _ => "CREATE TABLE many (n INTEGER); INSERT INTO many (n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2500) SELECT x FROM c;",
        };
        var t = await ReadTarget.CreateAsync(admin, engine, ddl);
        var capped = (await admin.Post("/api/dataset", t.Native("SELECT n FROM many ORDER BY n").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(2000, capped["row_count"]!.GetValue<int>());
        Assert.Equal(2000, capped["data"]!["rows"]!.AsArray().Count);
        Assert.Equal(2000, capped["data"]!["rows_truncated"]!.GetValue<int>());
        Assert.Equal(2000, capped["data"]!["rows"]![1999]![0]!.GetValue<int>());
        // As Metabase: reaching the cap is a capped answer; fewer rows are not.
        var exact = (await admin.Post("/api/dataset", t.Native("SELECT n FROM many WHERE n <= 2000").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(2000, exact["data"]!["rows_truncated"]!.GetValue<int>());
        var fewer = (await admin.Post("/api/dataset", t.Native("SELECT n FROM many WHERE n < 2000").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(1999, fewer["row_count"]!.GetValue<int>());
        Assert.Null(fewer["data"]!["rows_truncated"]);
        // The connection is fine after a capped read (the rest of the rows were not waited for).
        var after = (await admin.Post("/api/dataset", t.Native("SELECT count(*) AS c FROM many").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(2500, after["data"]!["rows"]![0]![0]!.GetValue<int>());
    }
}
