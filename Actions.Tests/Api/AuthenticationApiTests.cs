using System.Net;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

public sealed class AuthenticationApiTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("GET", "/api/user/current")]
    [InlineData("GET", "/api/user")]
    [InlineData("GET", "/api/collection")]
    [InlineData("PUT", "/api/setting/site-name")]
    [InlineData("POST", "/api/api-key")]
    public async Task Unauthenticated_request_gets_plain_401_not_a_redirect(string method, string path)
    {
        await Seeded.AdminAsync(_app);
        var response = await _app.Api().Send(new HttpMethod(method), path, new { });
        response.ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Unknown_or_garbage_token_is_unauthenticated()
    {
        await Seeded.AdminAsync(_app);
        (await _app.Api("not-a-token").Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await _app.Api().WithApiKey("mb_nope").Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Setup_creates_a_superuser_once_then_answers_403()
    {
        var admin = await Seeded.AdminAsync(_app);
        var me = (await admin.Get("/api/user/current")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("admin@example.com", me["email"]!.GetValue<string>());
        Assert.True(me["is_superuser"]!.GetValue<bool>());
        Assert.Equal("Ada Admin", me["common_name"]!.GetValue<string>());
        Assert.False(me["is_qbnewb"]!.GetValue<bool>());
        Assert.Equal([1, 2], me["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()));

        var again = await _app.Api().Post("/api/setup", new { user = new { email = "second@example.com", password = "Passw0rd!!", first_name = "S", last_name = "S" } });
        again.ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
    }

    [Fact]
    public async Task Setup_with_weak_password_reports_identity_reason_and_creates_nobody()
    {
        var response = await _app.Api().Post("/api/setup", new { user = new { email = "a@example.com", password = "short", first_name = "A", last_name = "B" } });
        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("Passwords must be at least 8 characters.", response.Json["errors"]!["password"]!.GetValue<string>());
        // Nobody was created, so setup is still possible.
        await Seeded.AdminAsync(_app);
    }

    [Fact]
    public async Task Setup_without_user_key_is_a_validation_error()
    {
        var response = (await _app.Api().Post("/api/setup", new { })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("missing required key, received: nil", response.Json["specific-errors"]!["user"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_returns_a_token_usable_with_both_session_headers()
    {
        await Seeded.AdminAsync(_app);
        var token = (await _app.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        (await _app.Api(token).Get("/api/user/current")).Expect(HttpStatusCode.OK);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/user/current");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _app.Api().Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("admin@example.com", "wrong-password")]
    [InlineData("nobody@example.com", "whatever-password")]
    public async Task Wrong_password_or_unknown_email_get_the_same_401(string email, string password)
    {
        await Seeded.AdminAsync(_app);
        var response = (await _app.Api().Post("/api/session", new { username = email, password })).Expect(HttpStatusCode.Unauthorized);
        Assert.Equal("""{"errors":{"password":"did not match stored password"}}""", response.Body);
    }

    [Fact]
    public async Task Login_with_missing_keys_is_a_validation_error_naming_both()
    {
        var response = (await _app.Api().Post("/api/session", new { })).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(response.Json["errors"]!["username"]);
        Assert.NotNull(response.Json["errors"]!["password"]);
        Assert.Equal("missing required key, received: nil", response.Json["specific-errors"]!["password"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Repeated_failures_for_one_email_are_throttled_with_retry_after()
    {
        await Seeded.AdminAsync(_app);
        for (var i = 0; i < 10; i++)
            (await _app.Api().Post("/api/session", new { username = "admin@example.com", password = "wrong" })).Expect(HttpStatusCode.Unauthorized);
        var throttled = await _app.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword });
        throttled.Expect(HttpStatusCode.TooManyRequests);
        Assert.Matches(@"^Too many attempts! You must wait \d+ seconds before trying again\.$", throttled.Body);
        Assert.True(int.Parse(throttled.Headers.RetryAfter!.ToString()) >= 1);
    }

    [Fact]
    public async Task Logout_ends_the_session_at_once()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        var logout = (await admin.Delete("/api/session")).Expect(HttpStatusCode.NoContent);
        Assert.Equal("", logout.Body);
        (await admin.Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Session_tokens_are_stored_only_as_hashes()
    {
        var admin = await Seeded.AdminAsync(_app);
        using var scope = _app.Services.CreateScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var stored = await db.Sessions.Select(s => s.TokenHash).ToListAsync();
        Assert.NotEmpty(stored);
        Assert.DoesNotContain(admin.Session, stored);
        Assert.Contains(Actions.Data.Security.Tokens.Hash(admin.Session!), stored);
    }

    [Fact]
    public async Task Health_is_anonymous_and_ok()
    {
        var response = (await _app.Api().Get("/api/health")).Expect(HttpStatusCode.OK);
        Assert.Equal("ok", response.Json["status"]!.GetValue<string>());
    }
}
