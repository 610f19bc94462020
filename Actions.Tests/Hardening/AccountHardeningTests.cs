using System.Net;
using System.Net.Sockets;
using System.Text;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Actions.Tests.Hardening;

/// <summary>The real password hasher, counting how often a password is checked.</summary>
public sealed class CountingHasher : IPasswordHasher<AppUser>
{
    private readonly PasswordHasher<AppUser> _inner = new();
    private int _verified;

    public int Verified => Volatile.Read(ref _verified);

    public string HashPassword(AppUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verified);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class CountingHasherAppFactory : AppFactory
{
    public CountingHasher Hasher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton<IPasswordHasher<AppUser>>(Hasher)));
    }
}

/// <summary>Sign-in throttling under concurrency, equal work for unknown emails, sessions after a reset, unreadable bodies.</summary>
public sealed class AccountHardeningTests : IDisposable
{
    private readonly CountingHasherAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Concurrent_wrong_passwords_get_exactly_the_limit_of_attempts()
    {
        var admin = await Seeded.AdminAsync(_app);
        var anonymous = admin.WithSession(null);
        var verifiedBefore = _app.Hasher.Verified;
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            anonymous.Post("/api/session", new { username = "admin@example.com", password = $"wrong-{i}" }))));
        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Unauthorized));
        Assert.Equal(20, answers.Count(a => a.Status == HttpStatusCode.TooManyRequests));
        // Refused attempts never reach the hasher.
        Assert.Equal(10, _app.Hasher.Verified - verifiedBefore);
        // Even the right password waits now.
        (await anonymous.Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword }))
            .Expect(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task An_unknown_email_costs_a_password_check_like_a_known_one()
    {
        var admin = await Seeded.AdminAsync(_app);
        var before = _app.Hasher.Verified;
        (await admin.WithSession(null).Post("/api/session", new { username = "nobody@example.com", password = "whatever-1" }))
            .Expect(HttpStatusCode.Unauthorized);
        Assert.Equal(before + 1, _app.Hasher.Verified);
    }

    [Fact]
    public async Task Successful_sign_ins_do_not_use_up_the_client_limit()
    {
        var admin = await Seeded.AdminAsync(_app);
        var anonymous = admin.WithSession(null);
        // The per-client limit is 50 failures in 15 minutes; 55 good sign-ins from one client all pass.
        for (var i = 0; i < 55; i++)
            (await anonymous.Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_reset_by_an_admin_ends_every_session_of_that_user()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (user, id) = await Seeded.UserAsync(admin);
        var other = (await admin.WithSession(null).Post("/api/session", new { username = (await user.Get("/api/user/current")).Json["email"]!.GetValue<string>(), password = Seeded.UserPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        (await user.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await admin.Put($"/api/user/{id}/password", new { password = "N3w-passw0rd!x" })).Expect(HttpStatusCode.NoContent);
        (await user.Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await user.WithSession(other).Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await admin.Get("/api/user/current")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Changing_ones_own_password_keeps_this_session_and_ends_the_others()
    {
        var admin = await Seeded.AdminAsync(_app);
        var second = (await admin.WithSession(null).Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var me = (await admin.Get("/api/user/current")).Json["id"]!.GetValue<int>();
        (await admin.Put($"/api/user/{me}/password", new { password = "N3w-passw0rd!x" })).Expect(HttpStatusCode.NoContent);
        (await admin.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await admin.WithSession(second).Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }
}

/// <summary>Requests the server cannot read, sent over a real socket.</summary>
public sealed class UnreadableRequestTests : IDisposable
{
    private readonly AppFactory _app = new();

    public UnreadableRequestTests()
    {
        _app.UseKestrel(0);
        _app.StartServer();
    }

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/api/session", "ZZZ")]
    [InlineData("/api/session", "FFFFFFFFFFFFFFFF")]
    [InlineData("/api/session", "-1")]
    [InlineData("/api/action/1/execute", "ZZZ")]
    [InlineData("/account/login", "ZZZ")]
    [InlineData("/account/login", "FFFFFFFFFFFFFFFF")]
    public async Task A_malformed_chunked_body_is_a_400(string path, string chunkSize)
    {
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        await using var stream = client.GetStream();
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{chunkSize}\r\n{{}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync();
        Assert.NotNull(status);
        Assert.StartsWith("HTTP/1.1 4", status);
    }
}
