using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>A newcomer's first minutes in a real browser: setup, sign-in, the app, sign-out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FirstRunStoryTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Newcomer_sets_up_signs_in_reaches_actions_and_signs_out()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();

        // An anonymous visitor to /actions is sent to login, which sends to setup while no user exists.
        await page.GotoAsync(fixture.BaseUrl + "/actions");
        await page.WaitForURLAsync("**/setup");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ArtifactPath("setup.png"), FullPage = true });

        await page.GetByLabel("First name").FillAsync("Ada");
        await page.GetByLabel("Last name").FillAsync("Admin");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync("Adm1n-passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login");

        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync("wrong-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("do not match");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ArtifactPath("login-error.png"), FullPage = true });

        await page.GetByLabel("Password").FillAsync("Adm1n-passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/actions");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Actions", Exact = true, Level = 1 })).ToBeVisibleAsync();
        // The superuser sees the admin part of the navigation.
        await Assertions.Expect(page.GetByText("REST API reference")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ArtifactPath("actions.png"), FullPage = true });

        // Every admin page opens for the superuser.
        foreach (var (path, heading) in new[] { ("/admin/people", "People"), ("/admin/api-keys", "API keys"), ("/admin/secrets", "Secrets"),
                     ("/admin/databases", "Databases"), ("/admin/settings", "Settings"), ("/models", "Models"), ("/executions", "Execution history") })
        {
            await page.GotoAsync(fixture.BaseUrl + path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ArtifactPath($"page{path.Replace('/', '-')}.png"), FullPage = true });
        }

        await page.GotoAsync(fixture.BaseUrl + "/account/logout");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login");
        await page.GotoAsync(fixture.BaseUrl + "/actions");
        await page.WaitForURLAsync("**/account/login**");

        // A member who is not a superuser sees no admin or share controls.
        var users = fixture.App.Services.GetRequiredService<Actions.Data.Platform.UserService>();
        await users.CreateAsync(new Actions.Data.Platform.UserService.NewUser("member@example.com", "Mem", "Ber", "Memb3r-passw0rd!"), superuser: false, default);
        // All Users may run everything in the root collection, so the member sees the example actions.
        var system = new Actions.Data.Platform.Caller(0, true, new HashSet<int> { 2 });
        await fixture.App.Services.GetRequiredService<Actions.Data.Platform.CollectionService>().UpdateGraphAsync(system, null,
            new Dictionary<int, IReadOnlyDictionary<string, string>> { [1] = new Dictionary<string, string> { ["root"] = "read" } }, default);
        await page.GetByLabel("Email").FillAsync("member@example.com");
        await page.GetByLabel("Password").FillAsync("Memb3r-passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/actions");
        await page.Locator("#app-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByText("REST API reference")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Databases" })).ToHaveCountAsync(0);
        // The row menu offers running, but neither sharing nor editing nor deleting.
        await page.GetByRole(AriaRole.Button, new() { Name = "Actions for Mark order as shipped" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Run" })).ToBeVisibleAsync();
        foreach (var entry in new[] { "Share", "Edit", "Delete" })
            await Assertions.Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = entry })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ArtifactPath("actions-member.png"), FullPage = true });
        await page.Keyboard.PressAsync("Escape");
        await page.GotoAsync(fixture.BaseUrl + "/admin/people");
        await Assertions.Expect(page.GetByText("People are managed by administrators.")).ToBeVisibleAsync();
    }
}
