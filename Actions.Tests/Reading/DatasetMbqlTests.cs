using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Reading;

/// <summary>The MBQL subset of <c>POST /api/dataset</c> on each engine: every filter clause, sorting, paging, fields, the failed form.</summary>
public sealed class DatasetMbqlTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static async Task<JsonNode> RunAsync(ApiClient client, JsonObject body) =>
        (await client.Post("/api/dataset", body.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;

    /// <summary>The ids of the rows the filter keeps, by id.</summary>
    private static async Task<List<int>> IdsAsync(ApiClient admin, ReadTarget t, JsonNode filter)
    {
        var answer = await RunAsync(admin, t.Query(new JsonObject
        {
            ["fields"] = new JsonArray(t.Field("id")), ["filter"] = filter.DeepClone(), ["order-by"] = new JsonArray(new JsonArray("asc", t.Field("id"))),
        }));
        Assert.True(answer["status"]!.GetValue<string>() == "completed", answer.ToJsonString());
        return answer["data"]!["rows"]!.AsArray().Select(r => r![0]!.GetValue<int>()).ToList();
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Every_filter_clause_keeps_the_rows_it_names(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        JsonArray F(string name) => t.Field(name);
        var insensitive = new JsonObject { ["case-sensitive"] = false };
        var cases = new (JsonNode Filter, int[] Ids)[]
        {
            (new JsonArray("=", F("name"), "Apple"), [1]),
            (new JsonArray("=", F("id"), 1, 3), [1, 3]),
            (new JsonArray("=", F("qty"), null), [2]),
            (new JsonArray("!=", F("qty"), 10), [2, 3, 4, 5]),
            (new JsonArray("!=", F("id"), 1, 2), [3, 4, 5]),
            (new JsonArray("<", F("price"), 1.5), [2, 5]),
            (new JsonArray(">", F("price"), 1.5), [3, 4]),
            (new JsonArray("<=", F("price"), 1.5), [1, 2, 5]),
            (new JsonArray(">=", F("qty"), 7), [1, 5]),
            (new JsonArray("between", F("born"), "2020-01-01", "2021-12-31"), [1, 2]),
            (new JsonArray("between", F("id"), 2, 4), [2, 3, 4]),
            (new JsonArray("contains", F("name"), "pp"), [1, 4]),
            (new JsonArray("contains", F("name"), "App"), [1]),
            (new JsonArray("contains", F("name"), "APP", insensitive.DeepClone()), [1, 4]),
            (new JsonArray("starts-with", F("name"), "a"), [4]),
            (new JsonArray("starts-with", F("name"), "A", insensitive.DeepClone()), [1, 4]),
            (new JsonArray("ends-with", F("name"), "pie"), [3]),
            (new JsonArray("ends-with", F("name"), "PIE", insensitive.DeepClone()), [3]),
            // Wildcards of LIKE and GLOB are literal text.
            (new JsonArray("contains", F("name"), "%_"), [5]),
            (new JsonArray("contains", F("name"), "_"), [5]),
            (new JsonArray("contains", F("name"), "a%"), []),
            (new JsonArray("contains", F("name"), "*"), []),
            (new JsonArray("is-null", F("born")), [4]),
            (new JsonArray("not-null", F("qty")), [1, 3, 4, 5]),
            (new JsonArray("=", F("active"), true), [1, 3, 5]),
            (new JsonArray("=", F("born"), "2021-03-04"), [2]),
            (new JsonArray(">", F("seen"), "2021-01-01T00:00:00"), [2, 5]),
            (new JsonArray("and", new JsonArray("=", F("active"), true), new JsonArray(">", F("qty"), 5)), [1, 5]),
            (new JsonArray("or", new JsonArray("=", F("id"), 1), new JsonArray("=", F("id"), 4)), [1, 4]),
            (new JsonArray("not", new JsonArray("=", F("active"), true)), [2, 4]),
            (new JsonArray("=", new JsonArray("field", "name", new JsonObject { ["base-type"] = "type/Text" }), "banana"), [2]),
        };
        foreach (var (filter, ids) in cases)
            Assert.True(ids.SequenceEqual(await IdsAsync(admin, t, filter)), $"{engine}: {filter.ToJsonString()} → {string.Join(",", await IdsAsync(admin, t, filter))}");
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Rows_are_sorted_paged_and_limited_in_the_database(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        async Task<List<int>> Ids(JsonObject clauses)
        {
            clauses["fields"] = new JsonArray(t.Field("id"));
            var answer = await RunAsync(admin, t.Query(clauses));
            Assert.True(answer["status"]!.GetValue<string>() == "completed", answer.ToJsonString());
            return answer["data"]!["rows"]!.AsArray().Select(r => r![0]!.GetValue<int>()).ToList();
        }
        Assert.Equal([3, 4, 1, 5, 2], await Ids(new JsonObject { ["order-by"] = new JsonArray(new JsonArray("desc", t.Field("price"))) }));
        Assert.Equal([3, 1, 2, 5], await Ids(new JsonObject { ["order-by"] = new JsonArray(new JsonArray("asc", t.Field("seen"))),
            ["filter"] = new JsonArray("not-null", t.Field("seen")) }));
        Assert.Equal([1, 3, 5, 2, 4], await Ids(new JsonObject { ["order-by"] = new JsonArray(new JsonArray("desc", t.Field("active")), new JsonArray("asc", t.Field("id"))) }));
        Assert.Equal([1, 2], await Ids(new JsonObject { ["limit"] = 2, ["order-by"] = new JsonArray(new JsonArray("asc", t.Field("id"))) }));
        // Pages of two: by the key when no order is given.
        Assert.Equal([1, 2], await Ids(new JsonObject { ["page"] = new JsonObject { ["page"] = 1, ["items"] = 2 } }));
        Assert.Equal([3, 4], await Ids(new JsonObject { ["page"] = new JsonObject { ["page"] = 2, ["items"] = 2 } }));
        Assert.Equal([5], await Ids(new JsonObject { ["page"] = new JsonObject { ["page"] = 3, ["items"] = 2 } }));
        Assert.Equal([], await Ids(new JsonObject { ["page"] = new JsonObject { ["page"] = 4, ["items"] = 2 } }));
        Assert.Equal([3, 2], await Ids(new JsonObject { ["page"] = new JsonObject { ["page"] = 2, ["items"] = 2 },
            ["order-by"] = new JsonArray(new JsonArray("desc", t.Field("id"))) }));
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_table_reads_its_fields_without_sensitive_ones_as_Metabase_describes_them(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var answer = await RunAsync(admin, t.Query(new JsonObject { ["filter"] = new JsonArray("=", t.Field("id"), 1) }));
        var cols = answer["data"]!["cols"]!.AsArray();
        Assert.Equal(["id", "name", "price", "qty", "active", "born", "seen"], cols.Select(c => c!["name"]!.GetValue<string>()));
        var id = cols[0]!;
        Assert.Equal(t.Fields["id"]["id"]!.GetValue<int>(), id["id"]!.GetValue<int>());
        Assert.Equal(t.TableId, id["table_id"]!.GetValue<int>());
        Assert.Equal("fields", id["source"]!.GetValue<string>());
        Assert.Equal(new JsonArray("field", t.Fields["id"]["id"]!.GetValue<int>(), null).ToJsonString(), id["field_ref"]!.ToJsonString());
        Assert.Equal("type/Integer", id["base_type"]!.GetValue<string>());
        Assert.Equal("type/Integer", id["effective_type"]!.GetValue<string>());
        Assert.Equal("type/PK", id["semantic_type"]!.GetValue<string>());
        Assert.Equal("Name", cols[1]!["display_name"]!.GetValue<string>());
        var row = answer["data"]!["rows"]![0]!.AsArray();
        Assert.Equal(1, row[0]!.GetValue<int>());
        Assert.Equal("Apple", row[1]!.GetValue<string>());
        Assert.Equal(1.5m, row[2]!.GetValue<decimal>());
        Assert.True(row[4]!.GetValue<bool>());
        Assert.Equal("2020-01-02", row[5]!.GetValue<string>());
        Assert.Equal("2020-01-02T10:00:00", row[6]!.GetValue<string>());
        Assert.Contains(t.Engine == "mysql" ? "`items`" : "\"items\"", answer["data"]!["native_form"]!["query"]!.GetValue<string>(), StringComparison.Ordinal);

        // Chosen fields, in their order; a sensitive field cannot be named.
        var chosen = await RunAsync(admin, t.Query(new JsonObject { ["fields"] = new JsonArray(t.Field("name"), t.Field("id")), ["limit"] = 1,
            ["order-by"] = new JsonArray(new JsonArray("asc", t.Field("id"))) }));
        Assert.Equal("[[\"Apple\",1]]", chosen["data"]!["rows"]!.ToJsonString());
        var secret = await RunAsync(admin, t.Query(new JsonObject { ["fields"] = new JsonArray(t.Field("secret")) }));
        Assert.Equal("failed", secret["status"]!.GetValue<string>());
        var secretFilter = await RunAsync(admin, t.Query(new JsonObject { ["filter"] = new JsonArray("=", t.Field("secret"), "s1") }));
        Assert.Equal("failed", secretFilter["status"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task What_the_subset_does_not_have_is_the_failed_form_naming_it(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var cases = new (JsonObject Clauses, string Error)[]
        {
            (new JsonObject { ["aggregation"] = new JsonArray(new JsonArray("count")) }, "Unsupported MBQL clause: aggregation"),
            (new JsonObject { ["breakout"] = new JsonArray(t.Field("name")) }, "Unsupported MBQL clause: breakout"),
            (new JsonObject { ["filter"] = new JsonArray("segment", 1) }, "Unsupported filter clause: segment"),
            (new JsonObject { ["filter"] = new JsonArray("does-not-contain", t.Field("name"), "a") }, "Unsupported filter clause: does-not-contain"),
            (new JsonObject { ["filter"] = new JsonArray("=", new JsonArray("field", 999999, null), 1) }, "Unknown field: 999999"),
            (new JsonObject { ["filter"] = new JsonArray("=", t.Field("id"), "abc") }, "Invalid value for id (type/Integer): \"abc\""),
            (new JsonObject { ["limit"] = 0 }, "Invalid limit: expected an integer of at least 1, got 0"),
        };
        foreach (var (clauses, error) in cases)
        {
            var body = t.Query(clauses);
            var answer = await RunAsync(admin, body);
            Assert.Equal("failed", answer["status"]!.GetValue<string>());
            Assert.Equal(error, answer["error"]!.GetValue<string>());
            Assert.Equal("invalid-query", answer["error_type"]!.GetValue<string>());
            Assert.Equal(0, answer["row_count"]!.GetValue<int>());
            Assert.True(JsonNode.DeepEquals(body, answer["json_query"]));
        }
        var unknownTable = await RunAsync(admin, new JsonObject { ["database"] = t.DatabaseId, ["type"] = "query", ["query"] = new JsonObject { ["source-table"] = 999999 } });
        Assert.Equal("failed", unknownTable["status"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_table_read_returns_at_most_2000_rows_with_the_cap_said(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var ddl = engine switch
        {
            "postgres" => "INSERT INTO items (id, name) SELECT g, 'n' || g FROM generate_series(100, 2599) g;",
            "mysql" => """
                CREATE TABLE digits (d INTEGER); INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
                INSERT INTO items (id, name) SELECT n, CONCAT('n', n) FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d + 100 AS n FROM digits a, digits b, digits c, digits e) x WHERE n <= 2599;
                """,
            _ => "INSERT INTO items (id, name) WITH RECURSIVE c(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM c WHERE x < 2599) SELECT x, 'n' || x FROM c;",
        };
        var t = await ReadTarget.CreateAsync(admin, engine, ddl);
        foreach (var clauses in new[] { new JsonObject(), new JsonObject { ["limit"] = 5000 } })
        {
            clauses["order-by"] = new JsonArray(new JsonArray("asc", t.Field("id")));
            var answer = await RunAsync(admin, t.Query(clauses));
            Assert.Equal(2000, answer["row_count"]!.GetValue<int>());
            Assert.Equal(2000, answer["data"]!["rows_truncated"]!.GetValue<int>());
        }
        var limited = await RunAsync(admin, t.Query(new JsonObject { ["limit"] = 10 }));
        Assert.Equal(10, limited["row_count"]!.GetValue<int>());
        Assert.Null(limited["data"]!["rows_truncated"]);
        var lastPage = await RunAsync(admin, t.Query(new JsonObject { ["page"] = new JsonObject { ["page"] = 2, ["items"] = 2000 } }));
        Assert.Equal(505, lastPage["row_count"]!.GetValue<int>());
        Assert.Null(lastPage["data"]!["rows_truncated"]);
    }
}
