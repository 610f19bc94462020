using System.Text.RegularExpressions;
using Actions.Data.ActionDefinitions;
using Actions.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// ui.md § The quality bar, the keyboard's last points and unknown addresses: focus returns to the control after a menu or
/// dialog closes, the editor's leave question starts on Stay, and an unknown address shows the styled not-found page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FocusAndNotFoundBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string ActionName = "Mark order as shipped";

    private Task<IBrowserContext> WideContextAsync() =>
        fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });

    private static ILocator RowMenu(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = $"Actions for {ActionName}" });

    /// <summary>Opens the row's menu from the keyboard (the focus on its button, then Enter) and moves down to <paramref name="item"/>.</summary>
    private static async Task ChooseFromRowMenuAsync(IPage page, string item)
    {
        await RowMenu(page).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var menuItem = page.GetByRole(AriaRole.Menuitem, new() { Name = item });
        await Assertions.Expect(menuItem).ToBeVisibleAsync();
        for (var step = 0; step < 5 && !await menuItem.EvaluateAsync<bool>("e => e === document.activeElement"); step++)
        {
            var before = await page.EvaluateAsync<string>("() => document.activeElement.textContent");
            await page.Keyboard.PressAsync("ArrowDown");
            await page.WaitForFunctionAsync("before => document.activeElement.textContent !== before", before);
        }
        await Assertions.Expect(menuItem).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
    }

    private static async Task ExpectFocusOnRowMenuAsync(IPage page)
    {
        await Assertions.Expect(RowMenu(page)).ToBeFocusedAsync();
        // Still there once the page has settled (the list reloads after the share dialog).
        await page.WaitForTimeoutAsync(500);
        await Assertions.Expect(RowMenu(page)).ToBeFocusedAsync();
    }

    [Fact]
    public async Task A_dialog_opened_from_a_row_menu_gives_the_focus_back_to_the_menu_button_when_it_closes_from_the_keyboard()
    {
        await using var context = await WideContextAsync();
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.WaitInteractiveAsync(page);
        var dialog = page.GetByRole(AriaRole.Dialog);

        // The delete question starts on Cancel; Escape cancels it.
        await ChooseFromRowMenuAsync(page, "Delete");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await ExpectFocusOnRowMenuAsync(page);

        // The share dialog closes with its Done button, reached with Tab.
        await ChooseFromRowMenuAsync(page, "Share");
        var done = dialog.GetByRole(AriaRole.Button, new() { Name = "Done" });
        await Assertions.Expect(done).ToBeVisibleAsync();
        for (var step = 0; step < 6 && !await done.EvaluateAsync<bool>("e => e === document.activeElement"); step++) await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await ExpectFocusOnRowMenuAsync(page);
        await Assertions.Expect(page.GetByText(ActionName)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_menu_or_dropdown_closed_without_a_dialog_gives_the_focus_back_to_its_control()
    {
        await using var context = await WideContextAsync();
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.WaitInteractiveAsync(page);

        // The row menu, closed by clicking away on an empty part of the page.
        await RowMenu(page).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Delete" })).ToBeVisibleAsync();
        Assert.Equal("HTML", await page.EvaluateAsync<string>("() => document.elementFromPoint(600, 780).tagName"));
        await page.Mouse.ClickAsync(600, 780);
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem)).ToHaveCountAsync(0);
        await ExpectFocusOnRowMenuAsync(page);

        // A filter's dropdown, an option chosen with the mouse (the first, then another): the focus is on the filter
        // again, not lost on the page.
        foreach (var (option, value) in new[] { ("Update row", "row%2Fupdate"), ("Query", "query") })
        {
            await BrowserSteps.PickAsync(page, "Type", option);
            await page.WaitForURLAsync(new Regex($"type={value}"));
            var type = page.GetByLabel("Type", new() { Exact = true }).First;
            await Assertions.Expect(type).ToBeFocusedAsync();
            await page.WaitForTimeoutAsync(500);
            await Assertions.Expect(type).ToBeFocusedAsync();
        }
    }

    [Fact]
    public async Task Leaving_the_editor_with_unsaved_changes_asks_with_the_focus_on_stay()
    {
        var system = new Caller(0, true, new HashSet<int> { 2 });
        var action = (await fixture.App.Services.GetRequiredService<ActionService>().ListAsync(system, null, default)).First(a => a.Name == ActionName);
        await using var context = await WideContextAsync();
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/actions/{action.Id}");
        var name = page.GetByLabel("Name", new() { Exact = true });
        await Assertions.Expect(name).ToHaveValueAsync(ActionName);
        await name.FillAsync(ActionName + " (draft)");

        var models = page.GetByRole(AriaRole.Link, new() { Name = "Models" });
        await models.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Leave without saving your changes?");
        var buttons = dialog.GetByRole(AriaRole.Button);
        await Assertions.Expect(buttons.First).ToHaveTextAsync("Stay");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Stay" })).ToBeFocusedAsync();

        // Enter keeps the person on the editor, with their changes.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        Assert.EndsWith($"/actions/{action.Id}", page.Url);
        await Assertions.Expect(name).ToHaveValueAsync(ActionName + " (draft)");

        // Leave goes.
        await models.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await page.WaitForURLAsync("**/models");
    }

    [Fact]
    public async Task An_unknown_address_shows_the_styled_not_found_page_whose_link_works()
    {
        await using var context = await WideContextAsync();
        await BrowserSteps.SignedInAdminAsync(fixture, context);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(fixture.BaseUrl + "/no-such-page");
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        // Styled by the app's stylesheet: the card is centred with its margin, not the browser's default.
        await Assertions.Expect(page.Locator(".account-card")).ToHaveCSSAsync("margin-top", "64px");
        // Live: the link is followed by the app's router in the page, asking the server for no page (neither a new
        // document nor the static pages' enhanced navigation).
        var pageRequests = new List<string>();
        page.Request += (_, request) => { if (new Uri(request.Url).AbsolutePath == "/actions") pageRequests.Add($"{request.ResourceType} {request.Url}"); };
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to your actions" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/actions$"));
        await BrowserSteps.WaitInteractiveAsync(page);
        await Assertions.Expect(RowMenu(page)).ToBeVisibleAsync();
        Assert.Empty(pageRequests);
    }
}
