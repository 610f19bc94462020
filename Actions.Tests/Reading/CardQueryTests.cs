using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Reading;

/// <summary><c>POST /api/card/:id/query</c>, models as <c>card__&lt;id&gt;</c> sources, and who may read what (data-api.md).</summary>
public sealed class CardQueryTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static async Task<int> CardAsync(ApiClient admin, JsonObject card) =>
        (await admin.Post("/api/card", card.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    private static JsonObject NativeCard(int databaseId, string sql, int? collectionId = null) => new()
    {
        ["name"] = "Native", ["type"] = "model", ["collection_id"] = collectionId,
        ["dataset_query"] = ReadTarget.Native(databaseId, sql),
    };

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_model_runs_its_own_query_with_the_same_answer_shape(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        var plain = await CardAsync(admin, Api.ModelsApiTests.Model("Items", t.DatabaseId, t.TableId));
        var answer = (await admin.Post($"/api/card/{plain}/query")).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("completed", answer["status"]!.GetValue<string>());
        Assert.Equal("question", answer["context"]!.GetValue<string>());
        Assert.Equal(5, answer["row_count"]!.GetValue<int>());
        Assert.DoesNotContain("secret", answer["data"]!["cols"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(t.TableId, answer["json_query"]!["query"]!["source-table"]!.GetValue<int>());

        // A model with clauses keeps them; outer clauses apply on top of them, through card__<id>.
        var filtered = await CardAsync(admin, Api.ModelsApiTests.Model("Active items", t.DatabaseId, t.TableId, clauses: new JsonObject
        {
            ["filter"] = new JsonArray("=", t.Field("active"), true),
            ["order-by"] = new JsonArray(new JsonArray("desc", t.Field("id"))),
        }));
        var own = (await admin.Post($"/api/card/{filtered}/query")).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal([5, 3, 1], own["data"]!["rows"]!.AsArray().Select(r => r![0]!.GetValue<int>()));
        var outer = new JsonObject
        {
            ["database"] = t.DatabaseId, ["type"] = "query",
            ["query"] = new JsonObject
            {
                ["source-table"] = $"card__{filtered}", ["filter"] = new JsonArray(">", t.Field("qty"), 6),
                ["order-by"] = new JsonArray(new JsonArray("asc", t.Field("id"))), ["fields"] = new JsonArray(t.Field("id"), t.Field("name")),
            },
        };
        var nested = (await admin.Post("/api/dataset", outer.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.True(nested["status"]!.GetValue<string>() == "completed", nested.ToJsonString());
        Assert.Equal("[[1,\"Apple\"],[5,\"100%_real\"]]", nested["data"]!["rows"]!.ToJsonString());

        // A native model: its own query, and columns named by name from outside.
        var native = await CardAsync(admin, NativeCard(t.DatabaseId, "SELECT id, name FROM items WHERE id <= 3 -- first three"));
        var nativeAnswer = (await admin.Post($"/api/card/{native}/query")).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(3, nativeAnswer["row_count"]!.GetValue<int>());
        var byName = new JsonObject
        {
            ["database"] = t.DatabaseId, ["type"] = "query",
            ["query"] = new JsonObject
            {
                ["source-table"] = $"card__{native}",
                ["filter"] = new JsonArray("starts-with", new JsonArray("field", "name", new JsonObject { ["base-type"] = "type/Text" }), "C"),
            },
        };
        var cherry = (await admin.Post("/api/dataset", byName.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.True(cherry["status"]!.GetValue<string>() == "completed", cherry.ToJsonString());
        Assert.Equal("[[3,\"Cherry pie\"]]", cherry["data"]!["rows"]!.ToJsonString());

        // A native card's template tags take the body's parameters.
        var tagged = await CardAsync(admin, new JsonObject
        {
            ["name"] = "By id", ["type"] = "question",
            ["dataset_query"] = ReadTarget.Native(t.DatabaseId, "SELECT name FROM items WHERE id = {{id}}",
                new JsonObject { ["id"] = new JsonObject { ["type"] = "number", ["name"] = "id", ["display-name"] = "Id" } }),
        });
        var parameters = new JsonObject
        {
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")), ["value"] = 2,
            }),
        };
        var two = (await admin.Post($"/api/card/{tagged}/query", parameters.ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("[[\"banana\"]]", two["data"]!["rows"]!.ToJsonString());
        var none = (await admin.Post($"/api/card/{tagged}/query")).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("You'll need to pick a value for 'Id' before this query can run.", none["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_are_read_by_whoever_may_read_their_collection_and_tables_and_sql_by_superusers_only()
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, "sqlite");
        var (member, _) = await Seeded.UserAsync(admin);
        var closed = (await admin.Post("/api/collection", new { name = "Closed" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        (await admin.Put("/api/collection/graph", new JsonObject
        {
            ["revision"] = revision, ["groups"] = new JsonObject { ["1"] = new JsonObject { [closed.ToString(System.Globalization.CultureInfo.InvariantCulture)] = "none" } },
        }.ToJsonString())).Expect(HttpStatusCode.OK);
        var open = await CardAsync(admin, Api.ModelsApiTests.Model("Open", t.DatabaseId, t.TableId));
        var hidden = await CardAsync(admin, Api.ModelsApiTests.Model("Hidden", t.DatabaseId, t.TableId, closed));

        // A model in a collection the member may read: its rows, by either endpoint.
        Assert.Equal(5, (await member.Post($"/api/card/{open}/query")).Expect(HttpStatusCode.Accepted).Json["row_count"]!.GetValue<int>());
        var viaDataset = new JsonObject { ["database"] = t.DatabaseId, ["type"] = "query", ["query"] = new JsonObject { ["source-table"] = $"card__{open}" } };
        Assert.Equal(5, (await member.Post("/api/dataset", viaDataset.ToJsonString())).Expect(HttpStatusCode.Accepted).Json["row_count"]!.GetValue<int>());
        // Not one it may not read; not tables or SQL.
        (await member.Post($"/api/card/{hidden}/query")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        viaDataset["query"]!["source-table"] = $"card__{hidden}";
        (await member.Post("/api/dataset", viaDataset.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await member.Post("/api/dataset", t.Query().ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await member.Post("/api/dataset", t.Native("SELECT 1").ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        // The superuser reads everything.
        Assert.Equal(5, (await admin.Post($"/api/card/{hidden}/query")).Expect(HttpStatusCode.Accepted).Json["row_count"]!.GetValue<int>());

        // Unknown or archived cards, unknown databases.
        (await admin.Post("/api/card/999999/query")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Put($"/api/card/{open}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await admin.Post($"/api/card/{open}/query")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Post("/api/dataset", ReadTarget.Native(999999, "SELECT 1").ToJsonString())).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await _app.Api().Post("/api/dataset", t.Native("SELECT 1").ToJsonString())).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task A_malformed_body_is_a_validation_error()
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, "sqlite");
        var missing = (await admin.Post("/api/dataset", new { type = "native", native = new { query = "SELECT 1" } })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("value must be an integer greater than zero.", missing["errors"]!["database"]!.GetValue<string>());
        var type = (await admin.Post("/api/dataset", new { database = t.DatabaseId, type = "sql" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("enum of query, native", type["errors"]!["type"]!.GetValue<string>());
        var blank = (await admin.Post("/api/dataset", new { database = t.DatabaseId, type = "native", native = new { query = " " } })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("value must be a non-blank string.", blank["errors"]!["native"]!["query"]!.GetValue<string>());
        var query = (await admin.Post("/api/dataset", new { database = t.DatabaseId, type = "query" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("map", query["errors"]!["query"]!.GetValue<string>());
        (await admin.Send(HttpMethod.Post, "/api/dataset", null, "[1]")).Expect(HttpStatusCode.BadRequest);
    }
}
