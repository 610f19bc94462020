using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hardening;

/// <summary>
/// JSON that parses but that no later step could handle (duplicate keys, lone surrogates, invalid UTF-8, deep
/// nesting) is a validation 400 under its key, on every route, and nothing is written.
/// </summary>
public sealed class RequestJsonTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:PublicSharing:PerClientPerMinute"] = "1000" });

    public void Dispose() => _app.Dispose();

    private static string Nested(int depth, string inner = "1")
    {
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++) sb.Append("{\"a\":");
        sb.Append(inner);
        for (var i = 0; i < depth; i++) sb.Append('}');
        return sb.ToString();
    }

    private static void ExpectValidation(ApiClient.Response response, string key, string text)
    {
        response.Expect(HttpStatusCode.BadRequest);
        Assert.True(response.Json["errors"]?[key] is not null, response.Body);
        Assert.Equal(text, response.Json["errors"]![key]!.GetValue<string>());
        Assert.StartsWith(text, response.Json["specific-errors"]![key]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Duplicate_keys_are_a_validation_400_under_the_key_and_sign_in_nobody()
    {
        var admin = await Seeded.AdminAsync(_app);
        var anonymous = admin.WithSession(null);
        var response = await anonymous.Send(HttpMethod.Post, "/api/session", null,
            $"{{\"username\": 1, \"username\": \"admin@example.com\", \"password\": \"{Seeded.AdminPassword}\"}}");
        ExpectValidation(response, "username", JsonBody.DuplicateKeyText);

        // Nested: the path nests in both maps.
        var before = (await admin.Get("/api/permissions/group")).Json.AsArray().Count;
        var nested = await admin.Send(HttpMethod.Post, "/api/permissions/group", null, "{\"name\": \"G\", \"x\": [1, {\"k\": 1, \"k\": 2}]}");
        nested.Expect(HttpStatusCode.BadRequest);
        Assert.Equal(JsonBody.DuplicateKeyText, nested.Json["errors"]!["x"]!["1"]!["k"]!.GetValue<string>());
        Assert.Equal(before, (await admin.Get("/api/permissions/group")).Json.AsArray().Count);
    }

    [Theory]
    [InlineData("{\"name\": \"\\ud800x\"}", "name")]
    [InlineData("{\"name\": \"x\\udc00\"}", "name")]
    [InlineData("{\"name\": \"ok\", \"\\ud800\": 1}", JsonBody.RootKey)]
    [InlineData("\"\\ud800\"", JsonBody.RootKey)]
    public async Task Lone_surrogates_are_a_validation_400_and_nothing_is_written(string body, string key)
    {
        var admin = await Seeded.AdminAsync(_app);
        var before = (await admin.Get("/api/permissions/group")).Json.AsArray().Count;
        ExpectValidation(await admin.Send(HttpMethod.Post, "/api/permissions/group", null, body), key, JsonBody.InvalidTextText);
        Assert.Equal(before, (await admin.Get("/api/permissions/group")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_a_validation_400()
    {
        var admin = await Seeded.AdminAsync(_app);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/permissions/group");
        request.Headers.Add("X-Metabase-Session", admin.Session);
        request.Content = new ByteArrayContent([.. "{\"name\": \""u8, 0xff, 0xfe, .. "\"}"u8]);
        using var response = await admin.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JsonBody.InvalidTextText, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Odd_json_on_anonymous_routes_is_a_400_too()
    {
        var s = await ActionSetup.CreateAsync(_app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var anonymous = _app.Api();
        (await anonymous.Send(HttpMethod.Post, $"/api/public/action/{uuid}/execute", null, "{\"parameters\": {\"id\": 1, \"id\": 2}}"))
            .ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        (await anonymous.Send(HttpMethod.Post, $"/api/public/action/{uuid}/execute", null, "{\"parameters\": {\"id\": 1, \"name\": \"\\ud800\"}}"))
            .ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        var setup = (await anonymous.Send(HttpMethod.Post, "/api/setup", null, "{\"user\": {\"email\": \"a@b.c\", \"email\": \"d@e.f\"}}"))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(JsonBody.DuplicateKeyText, setup.Json["errors"]!["user"]!["email"]!.GetValue<string>());
        Assert.Equal("African", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        // A prefetch's JSON query parameter is read the same way.
        var prefetch = await s.Admin.Get($"/api/action/{id}/execute?parameters=" + Uri.EscapeDataString("{\"id\": 1, \"id\": 2}"));
        ExpectValidation(prefetch, "parameters", "value must be a valid JSON string.");
    }

    [Fact]
    public async Task Nesting_past_the_limit_is_a_validation_400_under_the_top_key_however_deep()
    {
        var admin = await Seeded.AdminAsync(_app);
        var before = (await admin.Get("/api/permissions/group")).Json.AsArray().Count;
        // The body is level 1, so "x" may hold 63 levels and no more.
        var atLimit = await admin.Send(HttpMethod.Post, "/api/permissions/group", null, $"{{\"name\": \"Deep\", \"x\": {Nested(62, "[]")}}}");
        atLimit.Expect(HttpStatusCode.OK);
        foreach (var depth in new[] { 63, 1_000, 100_000 })
        {
            var body = $"{{\"name\": \"Deeper\", \"x\": {Nested(depth, "[]")}}}";
            ExpectValidation(await admin.Send(HttpMethod.Post, "/api/permissions/group", null, body), "x", JsonBody.TooDeepText);
        }
        ExpectValidation(await admin.Send(HttpMethod.Post, "/api/permissions/group", null, new string('[', 200_000)), JsonBody.RootKey, JsonBody.TooDeepText);
        Assert.Equal(before + 1, (await admin.Get("/api/permissions/group")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Deep_form_settings_and_details_are_stored_only_when_every_list_can_still_show_them()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var (member, _) = await Seeded.UserAsync(s.Admin);
        var tableId = (await s.Admin.Get($"/api/database/{s.DatabaseId}/metadata")).Json["tables"]![0]!["id"]!.GetValue<int>();
        var cards = (await s.Admin.Get("/api/card")).Json.AsArray().Count;
        foreach (var depth in new[] { 31, 40, 63 })
        {
            var card = Api.ModelsApiTests.Model($"Deep {depth}", s.DatabaseId, tableId);
            card["visualization_settings"] = JsonNode.Parse(Nested(depth), documentOptions: new() { MaxDepth = 100 });
            var created = (await s.Admin.Post("/api/card", card.ToJsonString())).Expect(HttpStatusCode.OK).Body;
            Assert.Contains($"\"visualization_settings\":{Nested(depth)},", created);
        }
        var tooDeep = Api.ModelsApiTests.Model("Too deep", s.DatabaseId, tableId);
        tooDeep["visualization_settings"] = JsonNode.Parse(Nested(64), documentOptions: new() { MaxDepth = 100 });
        ExpectValidation(await s.Admin.Post("/api/card", tooDeep.ToJsonString()), "visualization_settings", JsonBody.TooDeepText);
        foreach (var client in new[] { s.Admin, member })
            Assert.Equal(cards + 3, JsonNode.Parse((await client.Get("/api/card")).Expect(HttpStatusCode.OK).Body,
                documentOptions: new() { MaxDepth = JsonBody.MaxWriteDepth })!.AsArray().Count);

        var details = new JsonObject { ["db"] = s.Path, ["extra"] = JsonNode.Parse(Nested(62), documentOptions: new() { MaxDepth = 100 }) };
        (await s.Admin.Post("/api/database", new JsonObject { ["name"] = "Deep details", ["engine"] = "sqlite", ["details"] = details }.ToJsonString()))
            .Expect(HttpStatusCode.OK);
        foreach (var client in new[] { s.Admin, member })
            (await client.Get("/api/database")).Expect(HttpStatusCode.OK);
    }
}
