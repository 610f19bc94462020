using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.RegularExpressions;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Actions.Tests.Pages;

/// <summary>The static account pages (setup, login, logout) through real HTTP form posts.</summary>
public sealed partial class AccountPagesTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private HttpClient Browser() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task With_no_user_login_sends_to_setup_and_setup_creates_the_superuser()
    {
        var browser = Browser();
        var login = await browser.GetAsync("/account/login");
        Assert.Equal("/setup", Target(login));

        var setup = await PostFormAsync(browser, "/setup", "setup", new()
        {
            ["Input.FirstName"] = "Ada", ["Input.LastName"] = "Admin", ["Input.Email"] = "ada@example.com", ["Input.Password"] = Seeded.AdminPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, setup.StatusCode);
        Assert.Equal("/account/login", Target(setup));

        // The page is gone once a user exists.
        var again = await browser.GetAsync("/setup");
        Assert.Equal("/account/login", Target(again));
        // And the new superuser can use the API.
        (await _app.Api().Post("/api/session", new { username = "ada@example.com", password = Seeded.AdminPassword })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Setup_page_shows_identity_reason_next_to_password()
    {
        var browser = Browser();
        var response = await PostFormAsync(browser, "/setup", "setup", new()
        {
            ["Input.FirstName"] = "A", ["Input.LastName"] = "B", ["Input.Email"] = "a@example.com", ["Input.Password"] = "alllowercase1!",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Passwords must have at least one uppercase (&#x27;A&#x27;-&#x27;Z&#x27;).", html);
        Assert.False(await _app.Services.GetRequiredService<Actions.Data.Platform.AccountService>().HasAnyUserAsync(default));
    }

    [Fact]
    public async Task Login_sets_the_cookie_that_opens_the_app_but_not_the_api_and_logout_ends_it()
    {
        await Seeded.AdminAsync(_app);
        var browser = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/actions")).StatusCode);

        var wrong = await PostFormAsync(browser, "/account/login", "login", new() { ["Input.Email"] = "admin@example.com", ["Input.Password"] = "nope" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("do not match", await wrong.Content.ReadAsStringAsync());

        var ok = await PostFormAsync(browser, "/account/login?returnUrl=/actions", "login",
            new() { ["Input.Email"] = "admin@example.com", ["Input.Password"] = Seeded.AdminPassword });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/actions", Target(ok));

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/actions")).StatusCode);
        // The Identity cookie is never accepted on /api.
        var api = await browser.GetAsync("/api/user/current");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("Unauthenticated", await api.Content.ReadAsStringAsync());

        var logout = await PostFormAsync(browser, "/account/logout", "logout", new());
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/actions")).StatusCode);
    }

    [Fact]
    public async Task Login_never_redirects_off_site()
    {
        await Seeded.AdminAsync(_app);
        var browser = Browser();
        var ok = await PostFormAsync(browser, "/account/login?returnUrl=//evil.example/", "login",
            new() { ["Input.Email"] = "admin@example.com", ["Input.Password"] = Seeded.AdminPassword });
        Assert.Equal("/actions", Target(ok));
    }

    /// <summary>Where a redirect points, as a local path; an off-site target keeps its host so a test sees it.</summary>
    private static string? Target(HttpResponseMessage response) => response.Headers.Location switch
    {
        null => null,
        { IsAbsoluteUri: true } u when u.Host == "localhost" => u.PathAndQuery,
        var u => u.OriginalString,
    };

    internal static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await (await browser.GetAsync(path)).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {path}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        fields["_handler"] = formName;
        return await browser.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
