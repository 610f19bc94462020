using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Http;

/// <summary>
/// Who may put a secret in a template (superusers only) and where a request that carries one may go (its secrets'
/// <c>allowed_hosts</c>, no redirect to another host) — execution.md § HTTP actions, step 3.
/// </summary>
public sealed class SecretUseTests(EchoServer echo) : IClassFixture<EchoServer>, IDisposable
{
    private const string Forbidden = "You don't have permissions to do that.";
    private const string SecretValue = "Sk-Live-7D1F0B2C9E";

    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:HttpActions:AllowPrivateNetworks"] = "true" });

    public void Dispose() => _app.Dispose();

    private static string Marker() => "m" + Guid.NewGuid().ToString("N");

    private static JsonObject HttpAction(ActionSetup s, string url, string? headers = null, string? responseHandle = ".body", string name = "Call") => new()
    {
        ["name"] = name, ["type"] = "http", ["model_id"] = s.Models["categories"], ["response_handle"] = responseHandle,
        ["parameters"] = new JsonArray(new JsonObject { ["id"] = "q", ["type"] = "string/=" }),
        ["template"] = new JsonObject { ["method"] = "GET", ["url"] = url, ["headers"] = headers },
    };

    private static async Task AddSecretAsync(ActionSetup s, string name, params string[] hosts) =>
        (await s.Admin.Post("/api/secret", new { name, value = SecretValue, allowed_hosts = hosts })).Expect(HttpStatusCode.OK);

    private static async Task<string> MessageOfRunAsync(ApiClient client, int id, object? parameters = null) =>
        (await client.Post($"/api/action/{id}/execute", new { parameters = parameters ?? new { } })).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>();

    /// <summary>A member of All Users, who may write the root collection where the test models live.</summary>
    private static async Task<ApiClient> WriterAsync(ActionSetup s)
    {
        var revision = (await s.Admin.Get("/api/collection/graph")).Expect(HttpStatusCode.OK).Json["revision"]!.GetValue<int>();
        (await s.Admin.Put("/api/collection/graph", new { revision, groups = new Dictionary<string, object> { ["1"] = new { root = "write" } } }))
            .Expect(HttpStatusCode.OK);
        return (await Seeded.UserAsync(s.Admin)).Client;
    }

    private static async Task<List<string>> ActionNamesAsync(ActionSetup s) =>
        (await s.Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray().Select(a => a!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Only_a_superuser_may_save_an_action_whose_template_references_a_secret()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "API_TOKEN", "127.0.0.1");
        var member = await WriterAsync(s);

        // A member writes HTTP actions without secrets …
        var plain = (await member.Post("/api/action", HttpAction(s, echo.BaseUrl + "/echo/plain", name: "Plain").ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        // … but not with one, wherever in the template it is, and nothing is saved.
        foreach (var withSecret in new[]
        {
            HttpAction(s, echo.BaseUrl + "/echo?k={{secret:API_TOKEN}}", name: "In url"),
            HttpAction(s, echo.BaseUrl + "/echo", headers: """{"Authorization": "Bearer {{ secret:API_TOKEN }}"}""", name: "In headers"),
            HttpAction(s, echo.BaseUrl + "/echo[[?q={{q}}&k={{secret:NOPE}}]]", name: "In a block, unknown"),
        })
            (await member.Post("/api/action", withSecret.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var inBody = HttpAction(s, echo.BaseUrl + "/echo", name: "In body");
        inBody["template"]!["body"] = """{"key": "{{secret:API_TOKEN}}"}""";
        (await member.Post("/api/action", inBody.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        Assert.Equal(["Plain"], await ActionNamesAsync(s));

        // Adding a secret to a member's own action is refused too, and the action is unchanged.
        var edit = new JsonObject { ["name"] = "Renamed", ["template"] = new JsonObject { ["method"] = "GET", ["url"] = echo.BaseUrl + "/echo?k={{secret:API_TOKEN}}" } };
        (await member.Put($"/api/action/{plain}", edit.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var unchanged = (await s.Admin.Get($"/api/action/{plain}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("Plain", unchanged["name"]!.GetValue<string>());
        Assert.Equal(echo.BaseUrl + "/echo/plain", unchanged["template"]!["url"]!.GetValue<string>());

        // An action whose stored template references a secret: a member may not change anything of it.
        var adminsAction = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/echo/x?k={{secret:API_TOKEN}}", name: "Admin's"));
        (await member.Put($"/api/action/{adminsAction}", new { name = "Mine now" })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var noSecretAnyMore = new JsonObject { ["template"] = new JsonObject { ["method"] = "GET", ["url"] = "http://collector.example.net/" } };
        (await member.Put($"/api/action/{adminsAction}", noSecretAnyMore.ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var stored = (await s.Admin.Get($"/api/action/{adminsAction}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("Admin's", stored["name"]!.GetValue<string>());
        Assert.Equal(echo.BaseUrl + "/echo/x?k={{secret:API_TOKEN}}", stored["template"]!["url"]!.GetValue<string>());

        // A superuser may do all of it; a member may still run the result.
        (await s.Admin.Put($"/api/action/{plain}", edit.ToJsonString())).Expect(HttpStatusCode.OK);
        (await s.Admin.Put($"/api/action/{adminsAction}", new { name = "Still admin's" })).Expect(HttpStatusCode.OK);
        var run = (await member.Post($"/api/action/{adminsAction}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("<redacted>", run["query"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_secret_spelled_in_a_parameter_default_or_value_is_not_a_reference()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "API_TOKEN", "api.example.com");
        var member = await WriterAsync(s);
        var action = HttpAction(s, echo.BaseUrl + "/echo/literal?q={{q}}", responseHandle: ".body.query.q");
        action["parameters"]![0]!["default"] = "{{secret:API_TOKEN}}";
        var id = (await member.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        // The request carries no secret, so the secret's hosts do not apply: it is sent, with the text as written.
        Assert.Equal("\"{{secret:API_TOKEN}}\"", (await member.Post($"/api/action/{id}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Body);
        Assert.Equal("\"{{secret:API_TOKEN}}\"", (await member.Post($"/api/action/{id}/execute", new { parameters = new { q = "{{secret:API_TOKEN}}" } })).Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task A_request_carrying_a_secret_goes_only_to_an_allowed_host()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "ELSEWHERE", "api.example.com", "*.example.org");
        await AddSecretAsync(s, "LOCAL", "127.0.0.1");

        // The author's own server echoes the secret back and a response handle transforms it past the exact-text mask:
        // the host rule stops the request before anything is sent.
        var marker = Marker();
        var leak = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{marker}", headers: """{"X-Key": "{{secret:ELSEWHERE}}"}""",
            responseHandle: ".body.headers[\"x-key\"] | ascii_downcase"));
        Assert.Equal("Problem building request: secret ELSEWHERE may not be sent to 127.0.0.1", await MessageOfRunAsync(s.Admin, leak));
        Assert.False(echo.Saw(marker));

        // Allowed: sent, and the echoed value is masked.
        var allowedMarker = Marker();
        var allowed = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{allowedMarker}", headers: """{"X-Key": "{{secret:LOCAL}}"}""",
            responseHandle: ".body.headers[\"x-key\"]"));
        Assert.Equal("\"<redacted>\"", (await s.Admin.Post($"/api/action/{allowed}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Body);
        Assert.True(echo.Saw(allowedMarker));

        // Every secret used must allow the host.
        var bothMarker = Marker();
        var both = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{bothMarker}?a={{{{secret:LOCAL}}}}&b={{{{secret:ELSEWHERE}}}}"));
        Assert.Equal("Problem building request: secret ELSEWHERE may not be sent to 127.0.0.1", await MessageOfRunAsync(s.Admin, both));
        Assert.False(echo.Saw(bothMarker));

        // The same server by another name is another host.
        var otherMarker = Marker();
        var byName = await s.CreateAsync(HttpAction(s, echo.OtherHostUrl + $"/echo/{otherMarker}?k={{{{secret:LOCAL}}}}"));
        Assert.Equal("Problem building request: secret LOCAL may not be sent to localhost", await MessageOfRunAsync(s.Admin, byName));
        Assert.False(echo.Saw(otherMarker));

        // A secret in a block that is dropped is not carried: no host rule applies.
        var droppedMarker = Marker();
        var dropped = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{droppedMarker}[[?q={{{{q}}}}&k={{{{secret:ELSEWHERE}}}}]]", responseHandle: ".body.path"));
        Assert.Equal($"\"/echo/{droppedMarker}\"", (await s.Admin.Post($"/api/action/{dropped}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Body);
        Assert.Equal("Problem building request: secret ELSEWHERE may not be sent to 127.0.0.1", await MessageOfRunAsync(s.Admin, dropped, new { q = "x" }));
    }

    [Fact]
    public async Task An_unknown_secret_is_named_before_any_host_rule_and_nothing_is_sent()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "LOCAL", "api.example.com");
        var marker = Marker();
        var id = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{marker}?a={{{{secret:LOCAL}}}}&b={{{{secret:NOPE}}}}"));
        Assert.Equal("Problem building request: unknown secret: NOPE", await MessageOfRunAsync(s.Admin, id));
        Assert.False(echo.Saw(marker));
    }

    [Fact]
    public async Task A_secret_without_hosts_cannot_be_used()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "OLD", "127.0.0.1");
        // As the migration leaves a secret made before hosts existed: an empty list.
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
            await db.Secrets.Where(x => x.Name == "OLD").ExecuteUpdateAsync(u => u.SetProperty(x => x.AllowedHostsJson, "[]"));
        Assert.Equal("[]", (await s.Admin.Get("/api/secret")).Json[0]!["allowed_hosts"]!.ToJsonString());
        var marker = Marker();
        var id = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/echo/{marker}?k={{{{secret:OLD}}}}"));
        Assert.Equal("Problem building request: secret OLD may not be sent to 127.0.0.1", await MessageOfRunAsync(s.Admin, id));
        Assert.False(echo.Saw(marker));

        (await s.Admin.Put("/api/secret/OLD", new { allowed_hosts = new[] { "127.0.0.1" } })).Expect(HttpStatusCode.OK);
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK);
        Assert.True(echo.Saw(marker));
    }

    [Fact]
    public async Task The_migration_gives_existing_secrets_an_empty_host_list()
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "actions-tests")).FullName, $"before-hosts-{Guid.NewGuid():N}.db");
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options);
        var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);
        await migrator.MigrateAsync("Secrets");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO Secrets (Name, EncryptedValue, CreatedAt, UpdatedAt) VALUES ('legacy.name', 'x', '2026-01-01 00:00:00', '2026-01-01 00:00:00')");
        await migrator.MigrateAsync();
        Assert.Equal("[]", (await db.Secrets.AsNoTracking().SingleAsync()).AllowedHostsJson);
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_not_followed_with_a_secret_and_followed_without()
    {
        var s = await ActionSetup.CreateAsync(_app);
        await AddSecretAsync(s, "LOCAL", "127.0.0.1", "localhost");
        var marker = Marker();
        var target = Uri.EscapeDataString(echo.OtherHostUrl + $"/echo/{marker}");

        var withSecret = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/goto?url={target}&status=307", headers: """{"Authorization": "{{secret:LOCAL}}"}"""));
        Assert.Equal("Error calling the service: redirect to localhost refused: the request carries secrets", await MessageOfRunAsync(s.Admin, withSecret));
        Assert.False(echo.Saw(marker));

        // A redirect on the same host is followed with the secret.
        var sameHost = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/redirect?n=1", headers: """{"Authorization": "{{secret:LOCAL}}"}""", responseHandle: ".body.path"));
        Assert.Equal("\"/echo/landed\"", (await s.Admin.Post($"/api/action/{sameHost}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Body);

        var without = await s.CreateAsync(HttpAction(s, echo.BaseUrl + $"/goto?url={target}", responseHandle: ".body.path"));
        Assert.Equal($"\"/echo/{marker}\"", (await s.Admin.Post($"/api/action/{without}/execute", new { parameters = new { } })).Expect(HttpStatusCode.OK).Body);
        Assert.True(echo.Saw(marker));
    }
}
