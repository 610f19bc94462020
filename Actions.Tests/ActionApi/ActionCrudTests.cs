using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>Create, read, update, delete and lists of /api/action, with the spec's checks in order.</summary>
public sealed class ActionCrudTests : IDisposable
{
    private const string Forbidden = "You don't have permissions to do that.";
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Create_returns_the_merged_query_action_and_get_adds_the_creator()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var created = (await s.Admin.Post("/api/action", s.FixtureAction().ToJsonString())).Expect(HttpStatusCode.OK).Json;
        var id = created["id"]!.GetValue<int>();
        Assert.Equal("query", created["type"]!.GetValue<string>());
        Assert.Equal(s.DatabaseId, created["database_id"]!.GetValue<int>());
        Assert.Equal(s.Models["categories"], created["model_id"]!.GetValue<int>());
        Assert.Contains("{{id}}", created["dataset_query"]!["native"]!["query"]!.GetValue<string>());
        Assert.Equal(21, created["entity_id"]!.GetValue<string>().Length);
        Assert.False(created["archived"]!.GetValue<bool>());
        Assert.Null(created["public_uuid"]);
        Assert.Equal(1, created["creator_id"]!.GetValue<int>());
        Assert.False(created.AsObject().ContainsKey("creator"));
        Assert.EndsWith("Z", created["created_at"]!.GetValue<string>());

        var read = (await s.Admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("admin@example.com", read["creator"]!["email"]!.GetValue<string>());
        Assert.Equal(2, read["parameters"]!.AsArray().Count);
        var listed = (await s.Admin.Get($"/api/action?model-id={s.Models["categories"]}")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal(id, listed.Single()!["id"]!.GetValue<int>());
        Assert.NotNull(listed.Single()!["creator"]);
    }

    [Fact]
    public async Task Lists_are_ordered_by_update_and_skip_archived_actions_and_models()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var first = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'a'", name: "first"));
        var second = await s.CreateAsync(s.QueryAction("UPDATE venues SET name = 'b'", model: "venues", name: "second"));
        var third = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'c'", name: "third"));
        (await s.Admin.Put($"/api/action/{first}", new { name = "first, renamed" })).Expect(HttpStatusCode.OK);
        Assert.Equal([second, third, first], (await s.Admin.Get("/api/action")).Json.AsArray().Select(a => a!["id"]!.GetValue<int>()));

        (await s.Admin.Put($"/api/action/{third}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await s.Admin.Put($"/api/card/{s.Models["venues"]}", new { archived = true })).Expect(HttpStatusCode.OK);
        Assert.Equal([first], (await s.Admin.Get("/api/action")).Json.AsArray().Select(a => a!["id"]!.GetValue<int>()));
        // An archived model's own list still answers.
        Assert.Single((await s.Admin.Get($"/api/action?model-id={s.Models["venues"]}")).Json.AsArray());
        (await s.Admin.Get("/api/action?model-id=99999")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Get("/api/action?model-id=abc")).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Validation_names_every_failing_key_with_metabase_texts()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = new JsonObject
        {
            ["name"] = new string('x', 255), ["type"] = "graphql", ["model_id"] = 0, ["kind"] = "row/upsert",
            ["response_handle"] = "body", ["error_handle"] = ".a[",
            ["template"] = new JsonObject { ["method"] = "FETCH", ["url"] = "", ["extra"] = 1 },
        };
        var errors = (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("string with length <= 254", errors["errors"]!["name"]!.GetValue<string>());
        Assert.Equal("Unsupported action type", errors["errors"]!["type"]!.GetValue<string>());
        Assert.Equal("Unsupported action type, received: \"graphql\"", errors["specific-errors"]!["type"]![0]!.GetValue<string>());
        Assert.Equal("value must be an integer greater than zero.", errors["errors"]!["model_id"]!.GetValue<string>());
        Assert.Equal("Unsupported implicit action kind", errors["errors"]!["kind"]!.GetValue<string>());
        Assert.Equal("nullable must be a valid json-query, something like '.item.title'", errors["errors"]!["response_handle"]!.GetValue<string>());
        Assert.Equal("nullable must be a valid json-query, something like '.item.title'", errors["errors"]!["error_handle"]!.GetValue<string>());
        Assert.Equal("enum of GET, POST, PUT, DELETE, PATCH", errors["errors"]!["template"]!["method"]!.GetValue<string>());
        Assert.Equal("string with length >= 1", errors["errors"]!["template"]!["url"]!.GetValue<string>());
        Assert.Equal("disallowed key", errors["errors"]!["template"]!["extra"]!.GetValue<string>());
        Assert.Equal("disallowed key, received: 1", errors["specific-errors"]!["template"]!["extra"]![0]!.GetValue<string>());

        var missing = (await s.Admin.Post("/api/action", new { })).Expect(HttpStatusCode.BadRequest).Json;
        foreach (var key in new[] { "name", "type", "model_id" })
            Assert.Equal("missing required key, received: nil", missing["specific-errors"]![key]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(".body")]
    [InlineData(".item.title")]
    [InlineData(".status >= 400")]
    [InlineData(".body.items | map(.name)")]
    public async Task Valid_jq_handles_are_accepted(string handle)
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = new JsonObject
        {
            ["name"] = "Call", ["type"] = "http", ["model_id"] = s.Models["categories"], ["response_handle"] = handle, ["error_handle"] = handle,
            ["template"] = new JsonObject { ["method"] = "GET", ["url"] = "http://127.0.0.1:9/x" },
        };
        var created = (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(handle, created["response_handle"]!.GetValue<string>());
        Assert.Equal("GET", created["template"]!["method"]!.GetValue<string>());
    }

    [Fact]
    public async Task Type_specific_keys_are_checked_after_validation()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var query = s.QueryAction("UPDATE categories SET name = 'x'");
        query.Remove("database_id");
        (await s.Admin.Post("/api/action", query.ToJsonString())).ExpectPlain(HttpStatusCode.BadRequest, "Must provide a database_id for query actions");
        var http = (await s.Admin.Post("/api/action", new { name = "h", type = "http", model_id = s.Models["categories"] })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("missing required key, received: nil", http["specific-errors"]!["template"]![0]!.GetValue<string>());
        var implicitAction = (await s.Admin.Post("/api/action", new { name = "i", type = "implicit", model_id = s.Models["categories"] })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("missing required key, received: nil", implicitAction["specific-errors"]!["kind"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Model_checks_come_in_the_spec_order()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = s.QueryAction("UPDATE categories SET name = 'x'");
        body["model_id"] = 99999;
        (await s.Admin.Post("/api/action", body.ToJsonString())).ExpectPlain(HttpStatusCode.NotFound, "Not found.");

        var (tableId, _) = await TargetDatabases.TableAsync(s.Admin, s.DatabaseId, "categories");
        var question = Api.ModelsApiTests.Model("Q", s.DatabaseId, tableId);
        question["type"] = "question";
        var questionId = (await s.Admin.Post("/api/card", question.ToJsonString())).Json["id"]!.GetValue<int>();
        body["model_id"] = questionId;
        (await s.Admin.Post("/api/action", body.ToJsonString())).ExpectPlain(HttpStatusCode.BadRequest, "Actions must be made with models, not cards.");

        var withClauses = (await s.Admin.Post("/api/card", Api.ModelsApiTests.Model("Clauses", s.DatabaseId, tableId, clauses: new JsonObject { ["limit"] = 5 }).ToJsonString())).Json["id"]!.GetValue<int>();
        (await s.Admin.Post("/api/action", new { name = "i", type = "implicit", kind = "row/create", model_id = withClauses }))
            .ExpectPlain(HttpStatusCode.BadRequest, "Implicit actions are not supported for models with clauses.");

        (await s.Admin.Put($"/api/database/{s.DatabaseId}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = false } }.ToJsonString())).Expect(HttpStatusCode.OK);
        body["model_id"] = s.Models["categories"];
        var disabled = (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Actions are not enabled.", disabled["message"]!.GetValue<string>());
        Assert.Equal(s.DatabaseId, disabled["database-id"]!.GetValue<int>());
        Assert.Equal(s.DatabaseId, disabled["data"]!["database-id"]!.GetValue<int>());
        Assert.Equal("Actions are not enabled.", disabled["cause"]!.GetValue<string>());
    }

    [Fact]
    public async Task Permissions_decide_who_reads_and_writes_actions()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var collection = (await s.Admin.Post("/api/collection", new { name = "Ops" })).Json["id"]!.GetValue<int>();
        (await s.Admin.Put($"/api/card/{s.Models["venues"]}", new { collection_id = collection })).Expect(HttpStatusCode.OK);
        var readers = await Seeded.GroupAsync(s.Admin);
        var graph = new JsonObject
        {
            ["groups"] = new JsonObject
            {
                ["1"] = new JsonObject { [collection.ToString()] = "none" },
                [readers.ToString()] = new JsonObject { [collection.ToString()] = "read" },
            },
        };
        (await s.Admin.Put("/api/collection/graph", graph.ToJsonString())).Expect(HttpStatusCode.OK);
        var action = await s.CreateAsync(s.QueryAction("UPDATE venues SET name = 'x' WHERE id = {{id}}", model: "venues"));
        var (reader, _) = await Seeded.UserAsync(s.Admin, null, readers);
        var (outsider, _) = await Seeded.UserAsync(s.Admin);

        (await reader.Get($"/api/action/{action}")).Expect(HttpStatusCode.OK);
        (await reader.Put($"/api/action/{action}", new { name = "nope" })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await reader.Delete($"/api/action/{action}")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await reader.Get($"/api/action/{action}/execution")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await outsider.Get($"/api/action/{action}")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await outsider.Get($"/api/action?model-id={s.Models["venues"]}")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        Assert.Empty((await outsider.Get("/api/action")).Json.AsArray());
        (await outsider.Post($"/api/action/{action}/execute", new { parameters = new { id = 1 } })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var create = s.QueryAction("UPDATE venues SET name = 'y'", model: "venues");
        (await reader.Post("/api/action", create.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
    }

    [Fact]
    public async Task Put_is_partial_null_clears_and_archive_hides()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = s.FixtureAction();
        body["description"] = "Renames";
        var id = await s.CreateAsync(body);
        var updated = (await s.Admin.Put($"/api/action/{id}", new JsonObject { ["description"] = null, ["name"] = null, ["visualization_settings"] = new JsonObject { ["type"] = "form" } }.ToJsonString()))
            .Expect(HttpStatusCode.OK).Json;
        Assert.Null(updated["description"]);
        Assert.Equal("Rename category", updated["name"]!.GetValue<string>());
        Assert.Equal("form", updated["visualization_settings"]!["type"]!.GetValue<string>());
        Assert.Equal(2, updated["parameters"]!.AsArray().Count);
        Assert.False(updated.AsObject().ContainsKey("creator"));

        (await s.Admin.Put($"/api/action/{id}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await s.Admin.Get($"/api/action/{id}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1 } })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Put($"/api/action/{id}", new { archived = false })).Expect(HttpStatusCode.OK);
        (await s.Admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK);
        (await s.Admin.Put("/api/action/99999", new { name = "x" })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Put($"/api/action/{id}", new { name = 5 })).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Changing_type_needs_the_new_types_keys_and_replaces_the_old_row()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        var refused = (await s.Admin.Put($"/api/action/{id}", new { type = "http" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("missing required key, received: nil", refused["specific-errors"]!["template"]![0]!.GetValue<string>());
        var http = (await s.Admin.Put($"/api/action/{id}", new JsonObject
        {
            ["type"] = "http", ["template"] = new JsonObject { ["method"] = "POST", ["url"] = "http://127.0.0.1:9/hook" }, ["response_handle"] = ".body",
        }.ToJsonString())).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("http", http["type"]!.GetValue<string>());
        Assert.False(http.AsObject().ContainsKey("dataset_query"));
        Assert.Equal(".body", http["response_handle"]!.GetValue<string>());

        var implicitAction = (await s.Admin.Put($"/api/action/{id}", new { type = "implicit", kind = "row/update" })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("row/update", implicitAction["kind"]!.GetValue<string>());
        Assert.False(implicitAction.AsObject().ContainsKey("template"));
        Assert.Equal(s.DatabaseId, implicitAction["database_id"]!.GetValue<int>());
        Assert.Equal(["id", "name"], implicitAction["parameters"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Archived_actions_are_listed_for_the_browser_only_to_readers_of_their_model()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'kept'", name: "Kept"));
        (await s.Admin.Put($"/api/action/{id}", new { archived = true })).Expect(HttpStatusCode.OK);
        var service = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::Actions.Data.ActionDefinitions.ActionService>(_app.Services);
        var admin = new global::Actions.Data.Platform.Caller(1, true, new HashSet<int> { 1, 2 });
        Assert.Equal([id], (await service.ListArchivedAsync(admin, default)).Select(a => a.Id));
        // A member with no access to the model's collection sees none.
        var collection = (await s.Admin.Post("/api/collection", new { name = "Closed" })).Json["id"]!.GetValue<int>();
        (await s.Admin.Put($"/api/card/{s.Models["categories"]}", new { collection_id = collection })).Expect(HttpStatusCode.OK);
        (await s.Admin.Put("/api/collection/graph", new JsonObject { ["groups"] = new JsonObject { ["1"] = new JsonObject { [collection.ToString()] = "none" } } }.ToJsonString())).Expect(HttpStatusCode.OK);
        var member = new global::Actions.Data.Platform.Caller(99, false, new HashSet<int> { 1 });
        Assert.Empty(await service.ListArchivedAsync(member, default));
    }

    [Fact]
    public async Task Delete_is_hard_and_works_on_archived_actions_with_actions_disabled()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        (await s.Admin.Put($"/api/action/{id}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await s.Admin.Put($"/api/database/{s.DatabaseId}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = false } }.ToJsonString())).Expect(HttpStatusCode.OK);
        var deleted = (await s.Admin.Delete($"/api/action/{id}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal("", deleted.Body);
        (await s.Admin.Delete($"/api/action/{id}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Get("/api/action/abc")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        var zero = (await s.Admin.Get("/api/action/0")).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("value must be an integer greater than zero.", zero["errors"]!["action-id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Turning_a_model_into_a_question_deletes_implicit_actions_and_archives_the_rest()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var query = await s.CreateAsync(s.FixtureAction());
        var implicitAction = await s.CreateAsync(new JsonObject { ["name"] = "Create", ["type"] = "implicit", ["kind"] = "row/create", ["model_id"] = s.Models["categories"] });
        (await s.Admin.Put($"/api/card/{s.Models["categories"]}", new { type = "question" })).Expect(HttpStatusCode.OK);
        (await s.Admin.Get($"/api/action/{implicitAction}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Get($"/api/action/{query}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Put($"/api/action/{query}", new { archived = false })).Expect(HttpStatusCode.OK);
    }
}
