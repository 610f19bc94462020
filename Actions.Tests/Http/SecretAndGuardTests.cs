using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using System.Text.Json.Nodes;
using Actions.Data.Execution.Http;
using Actions.Tests.ActionApi;
using Actions.Tests.Api;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Http;

/// <summary>Secrets never leave the server; the private-network guard refuses internal destinations.</summary>
public sealed class SecretAndGuardTests(EchoServer echo) : IClassFixture<EchoServer>
{
    private const string SecretValue = "sk-live-7d1f0b2c9e";

    private static JsonObject HttpAction(ActionSetup s, string url, string? headers = null, string? responseHandle = ".body", string? body = null) => new()
    {
        ["name"] = "Call", ["type"] = "http", ["model_id"] = s.Models["categories"], ["response_handle"] = responseHandle,
        ["parameters"] = new JsonArray(new JsonObject { ["id"] = "q", ["type"] = "string/=" }),
        ["template"] = new JsonObject { ["method"] = "POST", ["url"] = url, ["headers"] = headers, ["body"] = body },
    };

    [Fact]
    public async Task Secrets_are_substituted_from_the_template_only_and_never_shown()
    {
        using var app = new CrashingAppFactoryWith(new Dictionary<string, string?>
        {
            ["Actions:HttpActions:AllowPrivateNetworks"] = "true", ["Actions:ExecutionLog:StoreParameterValues"] = "true",
        });
        var s = await ActionSetup.CreateAsync(app);
        var stored = (await s.Admin.Post("/api/secret", new { name = "API_TOKEN", value = SecretValue, allowed_hosts = new[] { "127.0.0.1" } })).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(SecretValue, stored.Body);
        Assert.Equal("API_TOKEN", (await s.Admin.Get("/api/secret")).Expect(HttpStatusCode.OK).Json.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.DoesNotContain(SecretValue, (await s.Admin.Get("/api/secret")).Body);

        var id = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/echo/x?key={{secret:API_TOKEN}}&q={{q}}",
            headers: """{"Authorization": "Bearer {{secret:API_TOKEN}}"}""", body: """{"q": "{{q}}"}"""));
        // The remote echoes the secret back: the answer must not carry it.
        var response = (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { q = "{{secret:API_TOKEN}}" } })).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(SecretValue, response.Body);
        Assert.Equal("Bearer <redacted>", response.Json["headers"]!["authorization"]!.GetValue<string>());
        Assert.Equal("<redacted>", response.Json["query"]!["key"]!.GetValue<string>());
        // A parameter value that spells a secret reference is sent literally.
        Assert.Equal("{{secret:API_TOKEN}}", response.Json["query"]!["q"]!.GetValue<string>());
        Assert.Equal("{\"q\": \"{{secret:API_TOKEN}}\"}", response.Json["body"]!.GetValue<string>());

        var unknown = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/echo?k={{secret:NOPE}}"));
        Assert.Equal("Problem building request: unknown secret: NOPE",
            (await s.Admin.Post($"/api/action/{unknown}/execute")).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var failing = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/status/500?k={{secret:API_TOKEN}}", responseHandle: ".body",
            headers: """{"X-Key": "{{secret:API_TOKEN}}"}"""));
        var error = await s.Admin.Post($"/api/action/{failing}/execute");
        Assert.DoesNotContain(SecretValue, error.Body);

        var log = (await s.Admin.Get("/api/execution")).Body;
        Assert.DoesNotContain(SecretValue, log);
        Assert.DoesNotContain(SecretValue, app.Logs.AllText);

        (await s.Admin.Delete("/api/secret/API_TOKEN")).Expect(HttpStatusCode.NoContent);
        (await s.Admin.Delete("/api/secret/API_TOKEN")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        var (user, _) = await Seeded.UserAsync(s.Admin);
        (await user.Post("/api/secret", new { name = "X", value = "y", allowed_hosts = new[] { "127.0.0.1" } })).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await user.Get("/api/secret")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await s.Admin.Post("/api/secret", new { name = "bad name!", value = "y", allowed_hosts = new[] { "127.0.0.1" } })).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task With_the_guard_on_loopback_and_redirects_to_it_are_refused()
    {
        using var app = new AppFactory();
        var s = await ActionSetup.CreateAsync(app);
        var direct = await s.CreateAsync(HttpAction(s, echo.BaseUrl + "/echo/x"));
        Assert.Equal("Problem building request: destination not allowed: 127.0.0.1",
            (await s.Admin.Post($"/api/action/{direct}/execute")).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var byName = await s.CreateAsync(HttpAction(s, echo.BaseUrl.Replace("127.0.0.1", "localhost") + "/echo/x"));
        Assert.Equal("Problem building request: destination not allowed: localhost",
            (await s.Admin.Post($"/api/action/{byName}/execute")).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Substitute_resolver_shows_private_answers_are_refused_before_any_connection()
    {
        foreach (var address in new[] { "10.1.2.3", "192.168.1.10", "172.20.0.5", "169.254.169.254", "100.64.0.1", "fd00:ec2::254", "::ffff:127.0.0.1", "fe80::1" })
        {
            var resolver = new FixedResolver(IPAddress.Parse(address));
            var refused = await Assert.ThrowsAsync<DestinationNotAllowedException>(async () =>
                await GuardedHandler.ConnectAsync(new DnsEndPoint("service.example", 443), allowPrivateNetworks: false, resolver, CancellationToken.None));
            Assert.Equal("service.example", refused.Host);
        }
        // Any forbidden answer among several is enough to refuse (no mixing public and private records).
        await Assert.ThrowsAsync<DestinationNotAllowedException>(async () => await GuardedHandler.ConnectAsync(new DnsEndPoint("mixed.example", 80), false,
            new FixedResolver(IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.1")), CancellationToken.None));
        // With private networks allowed, a name that resolves to loopback reaches the local echo server.
        var port = new Uri(echo.BaseUrl).Port;
        await using var stream = await GuardedHandler.ConnectAsync(new DnsEndPoint("rebound.example", port), true, new FixedResolver(IPAddress.Loopback), CancellationToken.None);
        Assert.True(stream.CanWrite);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.127.255.255", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("93.184.216.34", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("64:ff9b::a00:1", true)]
    [InlineData("2002:c0a8:101::1", true)]
    [InlineData("2606:4700:4700::1111", false)]
    public void Address_classifier_knows_private_addresses(string address, bool forbidden) =>
        Assert.Equal(forbidden, AddressClassifier.IsForbidden(IPAddress.Parse(address)));

    private sealed class FixedResolver(params IPAddress[] addresses) : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Task.FromResult(addresses);
    }
}

/// <summary>An app whose log lines are collected, with extra settings.</summary>
public sealed class CrashingAppFactoryWith(IDictionary<string, string?> settings) : AppFactory(settings)
{
    public LogCollector Logs { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:Default", "Debug");
        builder.ConfigureLogging(l => l.AddProvider(Logs));
    }
}
