using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// The story of ui.md § Tests in headless Chromium: setup → the Sample Database is there → create a model →
/// create a query action with two parameters → run it → share it → run it from the public link in a fresh
/// context → see both runs in the history. Screenshots of the main pages go to Actions.Tests/artifacts/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StoryTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> SignedInAdminAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/setup");
        if (page.Url.EndsWith("/setup", StringComparison.Ordinal))
        {
            await page.GetByLabel("First name").FillAsync("Ada");
            await page.GetByLabel("Last name").FillAsync("Admin");
            await page.GetByLabel("Email").FillAsync("story@example.com");
            await page.GetByLabel("Password").FillAsync("St0ry-passw0rd!");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
            await page.WaitForURLAsync("**/account/login");
        }
        await page.GotoAsync(fixture.BaseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync("story@example.com");
        await page.GetByLabel("Password").FillAsync("St0ry-passw0rd!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/actions");
        return page;
    }

    /// <summary>Blazor ignores input until the page is live; the layouts render #app-interactive once it is.</summary>
    private static async Task WaitInteractiveAsync(IPage page) =>
        await page.Locator("#app-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 15000 });

    private async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(fixture.BaseUrl + path);
        await WaitInteractiveAsync(page);
    }

    private static async Task PickAsync(IPage page, string label, string option)
    {
        await page.GetByLabel(label, new() { Exact = true }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
    }

    [Fact]
    public async Task Newcomer_builds_runs_shares_and_reviews_a_query_action()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await SignedInAdminAsync(context);
        await WaitInteractiveAsync(page);
        // The Sample Database's example actions are there from the first screen.
        await Assertions.Expect(page.GetByText("Mark order as shipped")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-actions.png"), FullPage = true });

        // Turn public sharing on.
        await GoAsync(page, "/admin/settings");
        await page.GetByRole(AriaRole.Switch, new() { Name = "Public sharing" }).SetCheckedAsync(true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();

        // A model on the sample's customers table.
        await GoAsync(page, "/models");
        await PickAsync(page, "Database", "Sample Database");
        await PickAsync(page, "Table", "Customers");
        await page.GetByLabel("Model name").FillAsync("VIP customers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create model" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "VIP customers" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-models.png"), FullPage = true });

        // A query action with two parameters, detected from the SQL as it is typed.
        await GoAsync(page, "/actions/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Move customer");
        await PickAsync(page, "Model", "VIP customers");
        // The SQL editor is Monaco: click into it and type, as a person would.
        await page.Locator(".sql-monaco .view-lines").WaitForAsync();
        await page.Locator(".sql-monaco .view-lines").ClickAsync();
        const string sql = "UPDATE customers SET city = {{city}} WHERE id = {{customer_id}}";
        await page.Keyboard.TypeAsync(sql, new() { Delay = 10 });
        await Assertions.Expect(page.Locator(".sql-monaco .view-lines")).ToHaveTextAsync(sql);
        // Leaving the editor, as a person does before saving.
        await page.GetByLabel("Description").ClickAsync();
        await Assertions.Expect(page.Locator("[data-parameter='city']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-parameter='customer_id']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-editor.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/actions/\\d+$"));
        var actionUrl = page.Url;

        // Run it.
        await page.GotoAsync(actionUrl + "/run");
        await WaitInteractiveAsync(page);
        await page.GetByLabel("City").FillAsync("Reykjavik");
        await page.GetByLabel("Customer ID", new() { Exact = true }).FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Done");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-run.png"), FullPage = true });

        // Share it from the list.
        await GoAsync(page, "/actions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Actions for Move customer" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Share" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Switch, new() { Name = "Public link" }).SetCheckedAsync(true);
        var linkBox = page.GetByLabel("Anyone with this link can run the action");
        await Assertions.Expect(linkBox).ToBeVisibleAsync();
        var link = await linkBox.InputValueAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-share.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        // The public link in a fresh context, on a phone-sized screen.
        await using (var anonymous = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } }))
        {
            var visitor = await anonymous.NewPageAsync();
            await visitor.GotoAsync(link);
            await WaitInteractiveAsync(visitor);
            await visitor.GetByLabel("City").FillAsync("Lagos");
            await visitor.GetByLabel("Customer ID", new() { Exact = true }).FillAsync("8");
            await visitor.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
            await Assertions.Expect(visitor.GetByRole(AriaRole.Status)).ToContainTextAsync("Done");
            await Assertions.Expect(visitor.GetByText("Execution history")).ToHaveCountAsync(0);
            await visitor.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-public-phone.png"), FullPage = true });
        }

        // Both runs in the history.
        await GoAsync(page, "/executions");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Move customer" })).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByText("public (")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-history.png"), FullPage = true });
    }

    [Fact]
    public async Task Unknown_public_link_shows_an_explanation()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var settings = fixture.App.Services.GetRequiredService<Actions.Data.Platform.SettingService>();
        var system = new Actions.Data.Platform.Caller(0, true, new HashSet<int> { 2 });
        await settings.SetAsync(system, Actions.Data.Platform.SettingService.EnablePublicSharing, System.Text.Json.Nodes.JsonValue.Create(true), default);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.BaseUrl}/public/action/{Guid.NewGuid()}");
        await Assertions.Expect(page.GetByText("unknown or was turned off")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("public-unknown.png"), FullPage = true });
    }
}
