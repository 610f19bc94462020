using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// What the story does not reach: a dropped connection that must not cost a half-filled form, ordering the form by
/// dragging, and a public link that was revoked after it was handed out.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly Caller System = new(0, true, new HashSet<int> { 2 });

    private async Task<int> ActionIdByNameAsync(string name)
    {
        var actions = fixture.App.Services.GetRequiredService<ActionService>();
        return (await actions.ListAsync(System, null, default)).Single(a => a.Name == name).Id;
    }

    [Fact]
    public async Task A_dropped_connection_reconnects_and_keeps_the_half_filled_form()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/actions/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Survives a dropped connection");
        await page.GetByLabel("Description").FillAsync("Typed before the connection dropped.");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = {{status}} WHERE id = 1");
        await page.GetByLabel("Description").ClickAsync();
        await Assertions.Expect(page.Locator("[data-parameter='status']")).ToBeVisibleAsync();

        // The connection drops (as on a flaky network): Blazor shows its reconnect dialog and rejoins the same circuit.
        await page.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
        await page.Locator("#components-reconnect-modal").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();

        // Nothing typed was lost, and the server still holds it: saving stores what was typed before the drop.
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Survives a dropped connection");
        await Assertions.Expect(page.Locator(".sql-monaco .view-lines")).ToHaveTextAsync("UPDATE orders SET status = {{status}} WHERE id = 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await SavedAsync(page);
        var saved = await fixture.App.Services.GetRequiredService<ActionService>()
            .GetAsync(System, await ActionIdByNameAsync("Survives a dropped connection"), default);
        Assert.Equal("Typed before the connection dropped.", saved.Description);
        Assert.Equal("UPDATE orders SET status = {{status}} WHERE id = 1", saved.ToJson()["dataset_query"]!["native"]!["query"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dragging_a_card_reorders_the_form_and_the_saved_action()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/actions/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Reordered by dragging");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = {{status}} WHERE id = {{order_id}}");
        await page.GetByLabel("Name", new() { Exact = true }).ClickAsync();
        var cards = page.Locator("[data-parameter]");
        await Assertions.Expect(cards).ToHaveCountAsync(2);
        Assert.Equal(["status", "order_id"], await Order(cards));

        // Drag the second card by its handle onto the first.
        await page.Locator("[data-parameter='order_id']").DragToAsync(page.Locator("[data-parameter='status']"),
            new() { TargetPosition = new() { X = 20, Y = 5 }, Force = true });
        await Assertions.Expect(cards.First).ToHaveAttributeAsync("data-parameter", "order_id");
        Assert.Equal(["order_id", "status"], await Order(cards));
        // The live preview follows.
        await Assertions.Expect(page.Locator("[data-field]").First).ToHaveAttributeAsync("data-field", "order_id");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await SavedAsync(page);
        var saved = await fixture.App.Services.GetRequiredService<ActionService>()
            .GetAsync(System, await ActionIdByNameAsync("Reordered by dragging"), default);
        var fields = saved.VisualizationSettings!["fields"]!.AsObject();
        Assert.Equal(0, fields["order_id"]!["order"]!.GetValue<int>());
        Assert.Equal(1, fields["status"]!["order"]!.GetValue<int>());
    }

    /// <summary>
    /// After Save the editor moves to the saved action's address (a client-side navigation: the address is polled,
    /// no load event waited for); if it does not, the screenshot and the page's alert say why.
    /// </summary>
    private static async Task SavedAsync(IPage page)
    {
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/actions/\\d+$"));
        }
        catch (PlaywrightException)
        {
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("failed-save.png"), FullPage = true });
            var alerts = await page.GetByRole(AriaRole.Alert).AllInnerTextsAsync();
            throw new Xunit.Sdk.XunitException($"Save did not reach the action's page (at {page.Url}); alerts: {string.Join(" | ", alerts)}");
        }
    }

    private static async Task<string[]> Order(ILocator cards) =>
        (await cards.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-parameter'))"));

    [Fact]
    public async Task A_revoked_public_link_shows_the_explanation()
    {
        var settings = fixture.App.Services.GetRequiredService<SettingService>();
        await settings.SetAsync(System, SettingService.EnablePublicSharing, JsonValue.Create(true), default);
        var actions = fixture.App.Services.GetRequiredService<ActionService>();
        var id = await ActionIdByNameAsync("Mark order as shipped");
        var uuid = await actions.CreatePublicLinkAsync(System, id, default);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.BaseUrl}/public/action/{uuid}");
        await Assertions.Expect(page.GetByLabel("Order ID")).ToBeVisibleAsync(new() { Timeout = 15000 });

        await actions.DeletePublicLinkAsync(System, id, default);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("unknown or was turned off")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("public-revoked.png"), FullPage = true });
    }
}
