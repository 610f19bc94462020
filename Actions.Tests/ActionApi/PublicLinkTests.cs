using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>Public links: sharing setting, idempotent uuids, the anonymous shape, reduced errors and rate limits.</summary>
public sealed class PublicLinkTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?>
    {
        ["Actions:PublicSharing:PerLinkPerSecond"] = "3",
        ["Actions:PublicSharing:PerClientPerMinute"] = "1000",
    });

    public void Dispose() => _app.Dispose();

    private static async Task EnableSharing(ActionSetup s) =>
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);

    private static JsonObject HiddenName() => new()
    {
        ["type"] = "form",
        ["fields"] = new JsonObject { ["name"] = new JsonObject { ["id"] = "name", ["hidden"] = true }, ["id"] = new JsonObject { ["id"] = "id", ["hidden"] = false } },
    };

    [Fact]
    public async Task Links_need_public_sharing_and_a_superuser()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        (await s.Admin.Post($"/api/action/{id}/public_link")).ExpectPlain(HttpStatusCode.BadRequest, "Public sharing is not enabled.");
        (await s.Admin.Get("/api/action/public")).ExpectPlain(HttpStatusCode.BadRequest, "Public sharing is not enabled.");
        await EnableSharing(s);
        var (user, _) = await Seeded.UserAsync(s.Admin);
        (await user.Post($"/api/action/{id}/public_link")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await user.Get("/api/action/public")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await s.Admin.Post("/api/action/99999/public_link")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Link_is_a_uuid_v4_made_once_listed_and_revocable()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await EnableSharing(s);
        var id = await s.CreateAsync(s.FixtureAction());
        var first = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var second = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        Assert.Equal(first, second);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first);
        var action = (await s.Admin.Get($"/api/action/{id}")).Json;
        Assert.Equal(first, action["public_uuid"]!.GetValue<string>());
        Assert.Equal(1, action["made_public_by_id"]!.GetValue<int>());
        var listed = (await s.Admin.Get("/api/action/public")).Expect(HttpStatusCode.OK).Json.AsArray().Single()!;
        Assert.Equal(["id", "name", "public_uuid", "model_id"], listed.AsObject().Select(p => p.Key));

        (await s.Admin.Delete($"/api/action/{id}/public_link")).Expect(HttpStatusCode.NoContent);
        (await _app.Api().Get($"/api/public/action/{first}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Delete($"/api/action/{id}/public_link")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        Assert.Null((await s.Admin.Get($"/api/action/{id}")).Json["public_uuid"]);
    }

    [Fact]
    public async Task Anonymous_get_shows_five_keys_without_hidden_parameters()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await EnableSharing(s);
        var body = s.FixtureAction();
        body["visualization_settings"] = HiddenName();
        body["description"] = "internal notes";
        var id = await s.CreateAsync(body);
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Json["uuid"]!.GetValue<string>();
        var shown = (await _app.Api().Get($"/api/public/action/{uuid}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["id", "name", "database_id", "visualization_settings", "parameters"], shown.AsObject().Select(p => p.Key));
        Assert.Equal(["id"], shown["parameters"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));
        Assert.Equal(["id"], shown["visualization_settings"]!["fields"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("UPDATE", shown.ToJsonString());
    }

    [Fact]
    public async Task Anonymous_execute_runs_the_saved_action_and_errors_are_reduced()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await EnableSharing(s);
        var body = s.FixtureAction();
        body["visualization_settings"] = HiddenName();
        var id = await s.CreateAsync(body);
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Json["uuid"]!.GetValue<string>();
        var anonymous = _app.Api();
        Assert.Equal("""{"rows-affected":1}""", (await anonymous.Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK).Body);
        Assert.Equal("Shop", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        (await anonymous.Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1, name = "x" } })).ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        (await anonymous.Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = "abc" } })).ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        (await anonymous.Post($"/api/public/action/{Guid.NewGuid()}/execute", new { parameters = new { id = 1 } })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await anonymous.Get("/api/public/action/not-a-uuid")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = false })).Expect(HttpStatusCode.NoContent);
        (await anonymous.Get($"/api/public/action/{uuid}")).ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");

        // The real reasons are in the log, with no user and the client's address.
        var log = (await s.Admin.Get($"/api/action/{id}/execution")).Json["data"]!.AsArray();
        Assert.Equal(3, log.Count);
        Assert.All(log, e => Assert.Equal("public", e!["source"]!.GetValue<string>()));
        Assert.All(log, e => Assert.Null(e!["user_id"]));
        Assert.All(log, e => Assert.False(string.IsNullOrEmpty(e!["client_ip"]?.GetValue<string>())));
        Assert.Contains("is not a number", log[0]!["error"]!.GetValue<string>());
        Assert.StartsWith("No destination parameter found", log[1]!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Executions_past_the_per_link_limit_get_429_with_retry_after()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await EnableSharing(s);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Json["uuid"]!.GetValue<string>();
        var statuses = new List<ApiClient.Response>();
        for (var i = 0; i < 6; i++) statuses.Add(await _app.Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } }));
        var limited = statuses.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(statuses.Count(r => r.Status == HttpStatusCode.OK) <= 3 + 3, "at most the limit per second succeeds");
        Assert.Equal("Too many attempts! You must wait 1 seconds before trying again.", limited[0].Body);
        Assert.Equal("1", limited[0].Headers.RetryAfter!.ToString());
        // Unknown links are limited too (rate limits come first).
        var unknown = Guid.NewGuid();
        var unknownStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) unknownStatuses.Add((await _app.Api().Post($"/api/public/action/{unknown}/execute", new { })).Status);
        Assert.Contains(HttpStatusCode.TooManyRequests, unknownStatuses);
        // Rate-limited runs are not logged.
        var logged = (await s.Admin.Get($"/api/action/{id}/execution")).Json["total"]!.GetValue<int>();
        Assert.Equal(statuses.Count(r => r.Status != HttpStatusCode.TooManyRequests), logged);
    }

    [Fact]
    public async Task Requests_past_the_per_client_limit_get_429()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:PublicSharing:PerClientPerMinute"] = "4" });
        var s = await ActionSetup.CreateAsync(app);
        await EnableSharing(s);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Json["uuid"]!.GetValue<string>();
        for (var i = 0; i < 4; i++) (await app.Api().Get($"/api/public/action/{uuid}")).Expect(HttpStatusCode.OK);
        var limited = (await app.Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.TooManyRequests);
        Assert.Matches(@"^Too many attempts! You must wait \d+ seconds before trying again\.$", limited.Body);
        Assert.True(int.Parse(limited.Headers.RetryAfter!.ToString()) >= 1);
    }
}
