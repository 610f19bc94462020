using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary>Cards (models and questions): shapes, result_metadata, permissions.</summary>
public sealed class ModelsApiTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    public static JsonObject Model(string name, int databaseId, int tableId, int? collectionId = null, JsonObject? clauses = null)
    {
        var query = new JsonObject { ["source-table"] = tableId };
        foreach (var (k, v) in clauses ?? []) query[k] = v?.DeepClone();
        return new JsonObject
        {
            ["name"] = name, ["type"] = "model", ["collection_id"] = collectionId,
            ["dataset_query"] = new JsonObject { ["database"] = databaseId, ["type"] = "query", ["query"] = query },
        };
    }

    private async Task<(ApiClient Admin, int DatabaseId, int TableId, Dictionary<string, JsonNode> Fields)> SetupAsync()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, password TEXT, internal TEXT, doc JSON);");
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, fields) = await TargetDatabases.TableAsync(admin, id, "users");
        return (admin, id, tableId, fields);
    }

    [Fact]
    public async Task Structured_model_lists_normal_active_fields_and_follows_field_edits()
    {
        var (admin, dbId, tableId, fields) = await SetupAsync();
        var card = (await admin.Post("/api/card", Model("Users", dbId, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("model", card["type"]!.GetValue<string>());
        Assert.Equal(dbId, card["database_id"]!.GetValue<int>());
        Assert.Equal(tableId, card["table_id"]!.GetValue<int>());
        Assert.Null(card["collection_id"]);
        Assert.False(card["archived"]!.GetValue<bool>());
        Assert.Equal(1, card["creator_id"]!.GetValue<int>());
        Assert.Equal("[]", card["parameters"]!.ToJsonString());
        Assert.Equal(["id", "email", "first_name", "last_name", "common_name"], card["creator"]!.AsObject().Select(p => p.Key));
        Assert.Equal("Ada Admin", card["creator"]!["common_name"]!.GetValue<string>());
        Assert.Equal("admin@example.com", (await admin.Get("/api/card")).Json[0]!["creator"]!["email"]!.GetValue<string>());
        Assert.Equal(["id", "name", "password", "internal", "doc"], card["result_metadata"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var first = card["result_metadata"]![0]!;
        Assert.Equal("type/Integer", first["base_type"]!.GetValue<string>());
        Assert.Equal("type/PK", first["semantic_type"]!.GetValue<string>());
        Assert.Equal(fields["id"]["id"]!.GetValue<int>(), first["id"]!.GetValue<int>());
        Assert.Equal($"[\"field\",{first["id"]},null]", first["field_ref"]!.ToJsonString());

        (await admin.Put($"/api/field/{fields["password"]["id"]}", new { visibility_type = "sensitive" })).Expect(HttpStatusCode.OK);
        var hidden = (await admin.Put($"/api/field/{fields["internal"]["id"]}", new { visibility_type = "hidden", display_name = "Internal note" })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("Internal note", hidden["display_name"]!.GetValue<string>());
        (await admin.Put($"/api/field/{fields["internal"]["id"]}", new { visibility_type = "secret" })).Expect(HttpStatusCode.BadRequest);
        var reread = (await admin.Get($"/api/card/{card["id"]}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["id", "name", "doc"], reread["result_metadata"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        // Sensitive fields stay in the table metadata (an admin must be able to see and un-hide them).
        var table = (await admin.Get($"/api/table/{tableId}/query_metadata")).Json;
        Assert.Equal("sensitive", table["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "password")!["visibility_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Native_model_reads_its_columns_without_running_a_write()
    {
        var (admin, dbId, _, _) = await SetupAsync();
        var body = new JsonObject
        {
            ["name"] = "Native", ["type"] = "model",
            ["dataset_query"] = new JsonObject { ["database"] = dbId, ["type"] = "native", ["native"] = new JsonObject { ["query"] = "SELECT id, name AS full_name FROM users" } },
        };
        var card = (await admin.Post("/api/card", body.ToJsonString())).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["id", "full_name"], card["result_metadata"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Null(card["table_id"]);
    }

    [Fact]
    public async Task Invalid_cards_get_validation_errors_naming_each_key()
    {
        var (admin, dbId, tableId, _) = await SetupAsync();
        var response = (await admin.Post("/api/card", new { type = "dashboard" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.NotNull(response["errors"]!["name"]);
        Assert.NotNull(response["errors"]!["type"]);
        Assert.NotNull(response["errors"]!["dataset_query"]);
        (await admin.Post("/api/card", Model("x", dbId, 99999).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        (await admin.Post("/api/card", Model("x", 99999, tableId).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        (await admin.Post("/api/card", Model("x", dbId, tableId, collectionId: 99999).ToJsonString())).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        Assert.Empty((await admin.Get("/api/card")).Json.AsArray());
    }

    [Fact]
    public async Task Collection_permissions_decide_who_sees_and_changes_models()
    {
        var (admin, dbId, tableId, _) = await SetupAsync();
        var collection = (await admin.Post("/api/collection", new { name = "Private" })).Json["id"]!.GetValue<int>();
        var readers = await Seeded.GroupAsync(admin);
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        var graph = new JsonObject
        {
            ["revision"] = revision,
            ["groups"] = new JsonObject { ["1"] = new JsonObject { [collection.ToString()] = "none" }, [readers.ToString()] = new JsonObject { [collection.ToString()] = "read" } },
        };
        (await admin.Put("/api/collection/graph", graph.ToJsonString())).Expect(HttpStatusCode.OK);
        var card = (await admin.Post("/api/card", Model("Secret model", dbId, tableId, collection).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

        var (reader, _) = await Seeded.UserAsync(admin, null, readers);
        var (outsider, _) = await Seeded.UserAsync(admin);
        const string forbidden = "You don't have permissions to do that.";
        (await reader.Get($"/api/card/{card}")).Expect(HttpStatusCode.OK);
        (await reader.Put($"/api/card/{card}", new { name = "x" })).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await reader.Post("/api/card", Model("mine", dbId, tableId, collection).ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await outsider.Get($"/api/card/{card}")).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        Assert.Empty((await outsider.Get("/api/card")).Json.AsArray());
        Assert.Single((await reader.Get("/api/card")).Json.AsArray());
        // Root is writable by All Users, so anyone may create a model there.
        (await outsider.Post("/api/card", Model("root model", dbId, tableId).ToJsonString())).Expect(HttpStatusCode.OK);
        (await outsider.Delete($"/api/card/{card}")).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
    }

    [Fact]
    public async Task Archived_cards_leave_the_list_but_still_answer_and_delete_is_hard()
    {
        var (admin, dbId, tableId, _) = await SetupAsync();
        var card = (await admin.Post("/api/card", Model("Users", dbId, tableId).ToJsonString())).Json["id"]!.GetValue<int>();
        (await admin.Put($"/api/card/{card}", new { archived = true })).Expect(HttpStatusCode.OK);
        Assert.Empty((await admin.Get("/api/card")).Json.AsArray());
        Assert.Single((await admin.Get("/api/card?archived=true")).Json.AsArray());
        Assert.True((await admin.Get($"/api/card/{card}")).Expect(HttpStatusCode.OK).Json["archived"]!.GetValue<bool>());
        (await admin.Delete($"/api/card/{card}")).Expect(HttpStatusCode.NoContent);
        (await admin.Get($"/api/card/{card}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Put_changes_name_type_and_query()
    {
        var (admin, dbId, tableId, _) = await SetupAsync();
        var card = (await admin.Post("/api/card", Model("Users", dbId, tableId).ToJsonString())).Json["id"]!.GetValue<int>();
        var clauses = new JsonObject { ["limit"] = 10 };
        var body = Model("Top users", dbId, tableId, clauses: clauses);
        body["type"] = "question";
        var updated = (await admin.Put($"/api/card/{card}", body.ToJsonString())).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("Top users", updated["name"]!.GetValue<string>());
        Assert.Equal("question", updated["type"]!.GetValue<string>());
        Assert.Equal(10, updated["dataset_query"]!["query"]!["limit"]!.GetValue<int>());
    }
}
