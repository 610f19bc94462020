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
    [Fact]
    public async Task Newcomer_builds_runs_shares_and_reviews_a_query_action()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.WaitInteractiveAsync(page);
        // The Sample Database's example actions are there from the first screen.
        await Assertions.Expect(page.GetByText("Mark order as shipped")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-actions.png"), FullPage = true });

        // Turn public sharing on.
        await BrowserSteps.GoAsync(fixture, page, "/admin/settings");
        await page.GetByRole(AriaRole.Switch, new() { Name = "Public sharing" }).SetCheckedAsync(true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();

        // A model on the sample's customers table.
        await BrowserSteps.GoAsync(fixture, page, "/models");
        await BrowserSteps.PickAsync(page, "Database", "Sample Database");
        await BrowserSteps.PickAsync(page, "Table", "Customers");
        await page.GetByLabel("Model name").FillAsync("VIP customers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create model" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "VIP customers" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-models.png"), FullPage = true });

        // A query action with two parameters, detected from the SQL as it is typed.
        await BrowserSteps.GoAsync(fixture, page, "/actions/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Move customer");
        await BrowserSteps.PickAsync(page, "Model", "VIP customers");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE customers SET city = {{city}} WHERE id = {{customer_id}}");
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
        await BrowserSteps.WaitInteractiveAsync(page);
        await page.GetByLabel("City").FillAsync("Reykjavik");
        await page.GetByLabel("Customer ID", new() { Exact = true }).FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Done");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-run.png"), FullPage = true });

        // Share it from the list.
        await BrowserSteps.GoAsync(fixture, page, "/actions");
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
            await BrowserSteps.WaitInteractiveAsync(visitor);
            await visitor.GetByLabel("City").FillAsync("Lagos");
            await visitor.GetByLabel("Customer ID", new() { Exact = true }).FillAsync("8");
            await visitor.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
            await Assertions.Expect(visitor.GetByRole(AriaRole.Status)).ToContainTextAsync("Done");
            await Assertions.Expect(visitor.GetByText("Execution history")).ToHaveCountAsync(0);
            await visitor.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("story-public-phone.png"), FullPage = true });
        }

        // Both runs in the history.
        await BrowserSteps.GoAsync(fixture, page, "/executions");
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
