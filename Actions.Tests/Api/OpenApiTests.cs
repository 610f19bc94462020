using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary>
/// <c>/api/openapi/v1.json</c> tells scripts what to send and what comes back: every body an endpoint reads has a
/// schema (the API parses bodies itself, so nothing would show them otherwise), every success answer of the action
/// API has one, and the spec's error bodies are described.
/// </summary>
public sealed class OpenApiTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    /// <summary>POST and PUT endpoints that read no body.</summary>
    private static readonly HashSet<string> WithoutBody =
    [
        "post /api/action/{id}/public_link", "post /api/model/{id}/implicit-actions", "post /api/database/{id}/sync_schema",
        "put /api/user/{id}/reactivate", "put /api/api-key/{id}/regenerate",
    ];

    private async Task<JsonObject> DocumentAsync() => (await _app.Api().Get("/api/openapi/v1.json")).Expect(HttpStatusCode.OK).Json.AsObject();

    private static IEnumerable<(string Key, JsonObject Operation)> Operations(JsonObject doc) =>
        from path in doc["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        where op.Key is "get" or "post" or "put" or "delete"
        select ($"{op.Key} {path.Key}", op.Value!.AsObject());

    /// <summary>The schema a <c>$ref</c> names, else the schema itself.</summary>
    private static JsonObject Resolve(JsonObject doc, JsonNode? schema)
    {
        var o = schema!.AsObject();
        return o["$ref"]?.GetValue<string>() is { } reference
            ? doc["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!.AsObject()
            : o;
    }

    /// <summary>Property names of a schema, across its <c>anyOf</c>/<c>oneOf</c> alternatives.</summary>
    private static HashSet<string> Properties(JsonObject doc, JsonNode? schema)
    {
        var o = Resolve(doc, schema);
        var names = (o["properties"] as JsonObject)?.Select(p => p.Key).ToHashSet() ?? [];
        foreach (var alternatives in new[] { o["anyOf"], o["oneOf"] })
            foreach (var alternative in (alternatives as JsonArray) ?? [])
                names.UnionWith(Properties(doc, alternative));
        return names;
    }

    private static JsonNode? BodySchema(JsonObject operation) => operation["requestBody"]?["content"]?["application/json"]?["schema"];

    [Fact]
    public async Task Every_post_and_put_that_reads_a_body_documents_its_json_with_named_keys()
    {
        var doc = await DocumentAsync();
        var writes = Operations(doc).Where(o => o.Key.StartsWith("post ", StringComparison.Ordinal) || o.Key.StartsWith("put ", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count > 20, $"only {writes.Count} POST/PUT operations in the document");
        var undocumented = writes.Where(o => !WithoutBody.Contains(o.Key) && (BodySchema(o.Operation) is not { } schema || Properties(doc, schema).Count == 0))
            .Select(o => o.Key).ToList();
        Assert.Empty(undocumented);
        Assert.All(writes.Where(o => WithoutBody.Contains(o.Key)), o => Assert.Null(o.Operation["requestBody"]));
    }

    [Fact]
    public async Task The_action_bodies_name_what_to_send()
    {
        var doc = await DocumentAsync();
        var paths = doc["paths"]!;
        var create = Resolve(doc, BodySchema(paths["/api/action"]!["post"]!.AsObject()));
        Assert.Superset(new HashSet<string> { "name", "type", "model_id", "database_id", "dataset_query", "kind", "template", "response_handle", "error_handle",
            "parameters", "parameter_mappings", "visualization_settings" }, Properties(doc, create));
        Assert.Superset(new HashSet<string> { "name", "type", "model_id" }, create["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToHashSet());
        // Ids are JSON numbers (the API refuses "7" for 7), not "integer or string".
        Assert.Equal("integer", create["properties"]!["model_id"]!["type"]!.GetValue<string>());
        Assert.Superset(new HashSet<string> { "database", "type", "native" }, Properties(doc, create["properties"]!["dataset_query"]));
        Assert.Superset(new HashSet<string> { "method", "url", "body", "headers" }, Properties(doc, create["properties"]!["template"]));

        var update = Resolve(doc, BodySchema(paths["/api/action/{id}"]!["put"]!.AsObject()));
        Assert.Contains("archived", Properties(doc, update));
        Assert.Null(update["required"]);

        foreach (var run in new[] { "/api/action/{id}/execute", "/api/action/{id}/execute/values", "/api/public/action/{uuid}/execute" })
            Assert.Equal("parameters", Assert.Single(Properties(doc, BodySchema(paths[run]!["post"]!.AsObject()))));
    }

    [Fact]
    public async Task Every_action_path_describes_its_success_answer()
    {
        var doc = await DocumentAsync();
        var actionOperations = Operations(doc).Where(o => o.Key.Contains(" /api/action", StringComparison.Ordinal)
            || o.Key.Contains(" /api/public/action", StringComparison.Ordinal) || o.Key.Contains(" /api/execution", StringComparison.Ordinal)).ToList();
        Assert.True(actionOperations.Count >= 14, $"only {actionOperations.Count} action operations in the document");
        foreach (var (key, operation) in actionOperations)
        {
            var responses = operation["responses"]!.AsObject();
            if (key.StartsWith("delete ", StringComparison.Ordinal))
            {
                Assert.True(responses["204"] is not null, $"{key} documents no 204");
                continue;
            }
            Assert.True(responses["200"]?["content"]?["application/json"]?["schema"] is not null, $"{key} documents no 200 answer schema");
        }

        var action = doc["paths"]!["/api/action/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"];
        Assert.Superset(new HashSet<string> { "id", "name", "type", "model_id", "database_id", "parameters", "visualization_settings", "public_uuid", "archived",
            "creator_id", "entity_id", "created_at", "updated_at", "dataset_query", "kind", "template", "response_handle", "error_handle", "creator" },
            Properties(doc, action));
        var run = doc["paths"]!["/api/action/{id}/execute"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"];
        Assert.Superset(new HashSet<string> { "rows-affected", "created-row", "rows-updated", "rows-deleted" }, Properties(doc, run));
    }

    [Fact]
    public async Task Errors_are_described_in_the_specs_three_forms()
    {
        var doc = await DocumentAsync();
        var errors = doc["paths"]!["/api/action"]!["post"]!["responses"]!["4XX"]!["content"]!;
        Assert.Equal("string", errors["text/plain"]!["schema"]!["type"]!.GetValue<string>());
        Assert.Superset(new HashSet<string> { "errors", "specific-errors", "message", "cause", "data" }, Properties(doc, errors["application/json"]!["schema"]));
    }
}
