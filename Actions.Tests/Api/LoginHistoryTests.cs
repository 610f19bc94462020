using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Platform;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

/// <summary><c>GET /api/login-history/current</c>: the caller's sign-ins from their sessions, as Metabase lists them.</summary>
public sealed class LoginHistoryTests
{
    private const string WindowsChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML like Gecko) Chrome/89.0.4389.86 Safari/537.36";
    private const string IosSafari = "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_1 like Mac OS X) AppleWebKit/603.1.30 (KHTML  like Gecko) Version/10.0 Mobile/14E304 Safari/602.1";

    private static async Task<string> SignInAsync(ApiClient socket, string email, string password, string userAgent, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session")
        {
            Content = new StringContent($$"""{"username": "{{email}}", "password": "{{password}}"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await socket.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Sign_ins_are_listed_newest_first_with_address_device_and_whether_still_active()
    {
        // A real socket from a known proxy on this machine: the address recorded is the forwarded client's.
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:ForwardedHeaders:KnownProxies"] = "127.0.0.1" });
        app.UseKestrel(0);
        app.StartServer();
        app.ClientOptions.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var admin = await Seeded.AdminAsync(app);
        var (_, _) = await Seeded.UserAsync(admin, "other@example.com");
        var socket = app.Api();
        var first = await SignInAsync(socket, "admin@example.com", Seeded.AdminPassword, WindowsChrome, "203.0.113.7");
        var second = await SignInAsync(socket, "admin@example.com", Seeded.AdminPassword, IosSafari);
        await SignInAsync(socket, "other@example.com", Seeded.UserPassword, "curl/8.5.0");

        var history = (await socket.WithSession(first).Get("/api/login-history/current")).Expect(HttpStatusCode.OK).Json.AsArray();
        // Setup's session, then the two sign-ins; the other user's sign-in is not the caller's.
        Assert.Equal(3, history.Count);
        Assert.Equal("Mobile Browser (Mobile Safari/iOS)", history[0]!["device_description"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", history[0]!["ip_address"]!.GetValue<string>());
        Assert.Equal("Browser (Chrome/Windows)", history[1]!["device_description"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", history[1]!["ip_address"]!.GetValue<string>());
        Assert.All(history, h => Assert.True(h!["active"]!.GetValue<bool>()));
        var stamps = history.Select(h => DateTimeOffset.Parse(h!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(stamps.OrderByDescending(t => t), stamps);
        Assert.EndsWith("Z", history[0]!["timestamp"]!.GetValue<string>(), StringComparison.Ordinal);

        // A signed-out session is no longer a sign-in of the caller.
        (await socket.WithSession(second).Delete("/api/session")).Expect(HttpStatusCode.NoContent);
        var after = (await socket.WithSession(first).Get("/api/login-history/current")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal(2, after.Count);
        Assert.Equal("Browser (Chrome/Windows)", after[0]!["device_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_api_key_has_no_sign_ins_and_no_caller_is_unauthenticated()
    {
        using var app = new AppFactory();
        var admin = await Seeded.AdminAsync(app);
        var key = (await Seeded.ApiKeyAsync(admin, await Seeded.GroupAsync(admin)))["unmasked_key"]!.GetValue<string>();
        Assert.Equal("[]", (await app.Api().WithApiKey(key).Get("/api/login-history/current")).Expect(HttpStatusCode.OK).Body);
        (await app.Api().Get("/api/login-history/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Theory]
    [InlineData(WindowsChrome, "Browser (Chrome/Windows)")]
    [InlineData(IosSafari, "Mobile Browser (Mobile Safari/iOS)")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "Browser (Safari/Mac OS X)")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "Browser (Firefox/Linux)")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Browser (Edge/Windows)")]
    [InlineData("curl/8.5.0", "Library (curl)")]
    [InlineData("python-requests/2.31.0", "Library (python-requests)")]
    [InlineData("", "Unknown device")]
    [InlineData(null, "Unknown device")]
    public void A_user_agent_is_described_in_Metabase_words(string? userAgent, string expected) =>
        Assert.Equal(expected, UserAgentDescription.Of(userAgent));
}
