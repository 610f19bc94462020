using System.Net;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

/// <summary>X-Forwarded-For counts only from configured proxies: for the per-client limit and the log's client_ip.</summary>
public sealed class ForwardedHeadersTests
{
    private static async Task<(AppFactory App, ApiClient Admin, ApiClient Socket, string Uuid, int Id)> StartAsync(string? knownProxies)
    {
        var settings = new Dictionary<string, string?> { ["Actions:PublicSharing:PerClientPerMinute"] = "4" };
        if (knownProxies is not null) settings["Actions:ForwardedHeaders:KnownProxies"] = knownProxies;
        var app = new AppFactory(settings);
        // A real socket, so that the connection has the loopback address a proxy on this machine would have.
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        app.ClientOptions.BaseAddress = new Uri(address);
        var socket = app.Api();
        var s = await ActionSetup.CreateAsync(app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        return (app, s.Admin, socket, uuid, id);
    }

    private static async Task<HttpStatusCode> RunAs(ApiClient socket, string uuid, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/public/action/{uuid}/execute")
        {
            Content = new StringContent("{\"parameters\": {\"id\": 1}}"),
        };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await socket.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<List<string?>> ClientIps(ApiClient admin, int id) =>
        [.. (await admin.Get($"/api/execution?action-id={id}")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray().Select(e => e!["client_ip"]?.GetValue<string>())];

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.0/8, 127.0.0.0/8")]
    public async Task From_a_known_proxy_the_forwarded_client_is_the_client(string knownProxies)
    {
        var (app, admin, socket, uuid, id) = await StartAsync(knownProxies);
        using (app)
        {
            // Two clients behind the proxy each get their own per-client limit (4 a minute).
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await RunAs(socket, uuid, "203.0.113.7"));
                Assert.Equal(HttpStatusCode.OK, await RunAs(socket, uuid, "198.51.100.1, 203.0.113.8"));
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, await RunAs(socket, uuid, "203.0.113.7"));
            var ips = await ClientIps(admin, id);
            Assert.Equal(4, ips.Count(ip => ip == "203.0.113.7"));
            Assert.Equal(4, ips.Count(ip => ip == "203.0.113.8"));
        }
    }

    [Fact]
    public async Task Without_configured_proxies_the_headers_are_ignored()
    {
        var (app, admin, socket, uuid, id) = await StartAsync(null);
        using (app)
        {
            for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, await RunAs(socket, uuid, $"203.0.113.{i}"));
            // Another spoofed address does not buy another minute's worth.
            Assert.Equal(HttpStatusCode.TooManyRequests, await RunAs(socket, uuid, "203.0.113.99"));
            Assert.All(await ClientIps(admin, id), ip => Assert.Equal("127.0.0.1", ip));
        }
    }

    [Fact]
    public void A_known_proxy_that_is_not_an_address_stops_the_start_naming_the_key()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:ForwardedHeaders:KnownProxies"] = "127.0.0.1, lb.internal" });
        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("Actions:ForwardedHeaders:KnownProxies", error.ToString());
    }
}
