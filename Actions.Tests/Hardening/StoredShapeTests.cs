using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hardening;

/// <summary>
/// Shapes of stored definitions that the run path cannot use are refused on save; and whatever is already stored
/// (from before that check) never makes a run, a public run or a read answer 500.
/// </summary>
public sealed class StoredShapeTests : IDisposable
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Actions:PublicSharing:PerClientPerMinute"] = "1000",
        ["Actions:HttpActions:AllowPrivateNetworks"] = "true",
    };

    private readonly AppFactory _app = new(Settings);
    private AppFactory? _restarted;

    public void Dispose()
    {
        _restarted?.Dispose();
        _app.Dispose();
    }

    private static JsonObject Http(ActionSetup s, JsonArray templateParameters) => new()
    {
        ["name"] = "Call", ["type"] = "http", ["model_id"] = s.Models["categories"],
        ["template"] = new JsonObject { ["method"] = "GET", ["url"] = "http://127.0.0.1:9/x", ["parameters"] = templateParameters },
    };

    [Theory]
    [InlineData("5")]
    [InlineData("[{\"id\": \"id\"}]")]
    [InlineData("{\"id\": 3}")]
    [InlineData("{\"id\": [\"hidden\"]}")]
    public async Task Form_fields_that_are_not_a_map_of_maps_are_refused_on_save(string fields)
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = s.FixtureAction();
        body["visualization_settings"] = new JsonObject { ["type"] = "form", ["fields"] = JsonNode.Parse(fields) };
        var response = (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(ActionInput.FieldsText, response.Json["errors"]!["visualization_settings"]!["fields"]!.GetValue<string>());
        var id = await s.CreateAsync(s.FixtureAction());
        (await s.Admin.Put($"/api/action/{id}", new JsonObject { ["visualization_settings"] = body["visualization_settings"]!.DeepClone() }.ToJsonString()))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Single((await s.Admin.Get("/api/action")).Json.AsArray());
    }

    [Theory]
    [InlineData("{\"id\": 7}")]
    [InlineData("[1]")]
    [InlineData("\"id\"")]
    public async Task Template_tags_that_are_not_a_map_of_maps_are_refused_on_save(string tags)
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = s.QueryAction("UPDATE categories SET name = 'x' WHERE id = {{id}}");
        body["dataset_query"]!["native"]!["template-tags"] = JsonNode.Parse(tags);
        var response = (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(ActionInput.TemplateTagsText, response.Json["errors"]!["dataset_query"]!["native"]!["template-tags"]!.GetValue<string>());
        Assert.Empty((await s.Admin.Get("/api/action")).Json.AsArray());
    }

    [Theory]
    [InlineData("[{\"type\": \"string/=\"}]")]
    [InlineData("[{\"id\": 7, \"type\": \"string/=\"}]")]
    [InlineData("[\"id\"]")]
    [InlineData("[{\"id\": \"x\", \"type\": 1}]")]
    public async Task Template_parameters_without_a_string_id_are_refused_on_save(string parameters)
    {
        var s = await ActionSetup.CreateAsync(_app);
        var response = (await s.Admin.Post("/api/action", Http(s, JsonNode.Parse(parameters)!.AsArray()).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(ActionInput.TemplateParametersText, response.Json["errors"]!["template"]!["parameters"]!.GetValue<string>());
        Assert.Empty((await s.Admin.Get("/api/action")).Json.AsArray());
    }

    [Fact]
    public async Task Odd_shapes_already_in_the_store_never_fail_a_run_or_a_read()
    {
        var s = await ActionSetup.CreateAsync(_app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var fieldsNumber = await s.CreateAsync(s.FixtureAction());
        var fieldsList = await s.CreateAsync(s.FixtureAction());
        var http = await s.CreateAsync(Http(s, [new JsonObject { ["id"] = "q", ["type"] = "string/=" }]));
        var tagNumber = await s.CreateAsync(s.FixtureAction());
        var links = new Dictionary<int, string>();
        foreach (var id in new[] { fieldsNumber, fieldsList, http })
            links[id] = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var dataDir = _app.DataDir;
        _app.Dispose();

        // What an earlier version accepted, written straight into the store while the app is down (the same SQL
        // on either store provider).
        using (var store = _app.OpenStore())
        {
            using var read = store.CreateCommand();
            read.CommandText = $"""SELECT "DatasetQueryJson" FROM "QueryActions" WHERE "ActionId" = {tagNumber}""";
            var datasetQuery = JsonNode.Parse((string)read.ExecuteScalar()!)!;
            datasetQuery["native"]!["template-tags"]!["id"] = 7;
            using var command = store.CreateCommand();
            command.CommandText = $$"""
                UPDATE "Actions" SET "VisualizationSettingsJson" = '{"fields": 5}' WHERE "Id" = {{fieldsNumber}};
                UPDATE "Actions" SET "VisualizationSettingsJson" = '{"fields": [{"id": "id", "hidden": true}]}' WHERE "Id" = {{fieldsList}};
                UPDATE "QueryActions" SET "DatasetQueryJson" = @query WHERE "ActionId" = {{tagNumber}};
                UPDATE "HttpActions" SET "TemplateJson" = '{"method": "GET", "url": "http://127.0.0.1:9/x", "parameters": [{"type": "string/="}, {"id": 7}, 3, {"id": "q"}]}' WHERE "ActionId" = {{http}};
                """;
            var query = command.CreateParameter();
            query.ParameterName = "@query";
            query.Value = datasetQuery.ToJsonString();
            command.Parameters.Add(query);
            Assert.Equal(4, command.ExecuteNonQuery());
        }
        _restarted = new AppFactory(Settings, dataDir);
        var admin = _restarted.Api(s.Admin.Session);
        var anonymous = _restarted.Api();

        foreach (var id in new[] { fieldsNumber, fieldsList })
        {
            Assert.Equal(1, (await admin.Post($"/api/action/{id}/execute", new { parameters = new { id = id == fieldsNumber ? 1 : 2 } }))
                .Expect(HttpStatusCode.OK).Json["rows-affected"]!.GetValue<int>());
            (await anonymous.Post($"/api/public/action/{links[id]}/execute", new { parameters = new { id = 3 } })).Expect(HttpStatusCode.OK);
            (await anonymous.Get($"/api/public/action/{links[id]}")).Expect(HttpStatusCode.OK);
            (await admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK);
        }
        Assert.Equal("Shop", s.Scalar("SELECT name FROM categories WHERE id = 3"));
        // A template tag stored as a number is a tag with no settings: the run binds its value as text.
        (await admin.Post($"/api/action/{tagNumber}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        (await admin.Post($"/api/action/{tagNumber}/execute", new { parameters = new { } })).Expect(HttpStatusCode.BadRequest);
        // The HTTP action's one usable parameter still works; the call itself fails (nothing listens there), as a 400.
        (await admin.Post($"/api/action/{http}/execute", new { parameters = new { q = "x" } })).Expect(HttpStatusCode.BadRequest);
        (await anonymous.Post($"/api/public/action/{links[http]}/execute", new { parameters = new { q = "x" } }))
            .ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        var form = (await anonymous.Get($"/api/public/action/{links[http]}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["q"], form["parameters"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));
        (await admin.Get("/api/action")).Expect(HttpStatusCode.OK);
        (await admin.Get($"/api/action/{http}")).Expect(HttpStatusCode.OK);
    }
}
