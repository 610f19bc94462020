using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Actions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// A page whose instance died comes back by a reload (Blazor reloads when the circuit is gone): the unsaved input of the
/// action editor, the run page and a public form is kept in the browser's sessionStorage and restored, with a notice and
/// a way to discard it; it is forgotten once saved or run, never sent by itself, and a password is never kept.
/// The reload here stands in for the instance loss (the cluster tests kill a real instance).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DraftBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly Caller System = new(0, true, new HashSet<int> { 2 });
    private const string Restored = "Unsaved input restored";

    private Task<int> ActionIdByNameAsync(string name) => ActionIdByNameAsync(fixture.App, name);

    private static async Task<int> ActionIdByNameAsync(AppFactory app, string name)
    {
        var actions = app.Services.GetRequiredService<ActionService>();
        return (await actions.ListAsync(System, null, default)).Single(a => a.Name == name).Id;
    }

    /// <summary>A fresh action copied from the Sample Database's "Mark order as shipped" (its own runs).</summary>
    private async Task<int> ShippingActionAsync(string name)
    {
        var actions = fixture.App.Services.GetRequiredService<ActionService>();
        var example = await actions.GetAsync(System, await ActionIdByNameAsync("Mark order as shipped"), default);
        var body = new JsonObject();
        foreach (var key in new[] { "type", "model_id", "database_id", "dataset_query", "parameters", "visualization_settings" })
            body[key] = example.ToJson()[key]!.DeepClone();
        body["name"] = name;
        var created = await actions.CreateAsync(System, ActionInput.Validate(new Actions.Data.Errors.RequestBody(body), creating: true), default);
        return created.Id;
    }

    private Task<int> RunCountAsync(int actionId) => RunCountAsync(fixture.App, actionId);

    private static async Task<int> RunCountAsync(AppFactory app, int actionId)
    {
        var history = app.Services.GetRequiredService<ExecutionHistoryService>();
        var page = await history.ForActionAsync(System, actionId, new ExecutionHistoryService.Filter(null, null, null, 100, 0), default);
        return page["total"]!.GetValue<int>();
    }

    /// <summary>Every draft this tab keeps, as one text (keys and values).</summary>
    private static Task<string> StoredDraftsAsync(IPage page) => page.EvaluateAsync<string>(
        "() => JSON.stringify(Object.keys(sessionStorage).filter(k => k.startsWith('actions.draft:')).map(k => [k, sessionStorage.getItem(k)]))");

    /// <summary>Waits until the browser keeps a draft containing <paramref name="text"/> (it is written after the server saw the input).</summary>
    private static Task KeptAsync(IPage page, string text) => page.WaitForFunctionAsync(
        "text => Object.keys(sessionStorage).some(k => k.startsWith('actions.draft:') && sessionStorage.getItem(k).includes(text))", text);

    private static Task NotKeptAsync(IPage page, string text) => page.WaitForFunctionAsync(
        "text => !Object.keys(sessionStorage).some(k => k.startsWith('actions.draft:') && sessionStorage.getItem(k).includes(text))", text);

    private static async Task ReloadAsync(IPage page)
    {
        await page.ReloadAsync();
        await BrowserSteps.WaitInteractiveAsync(page);
    }

    [Fact]
    public async Task The_editor_gets_unsaved_input_back_after_a_reload_and_forgets_it_once_saved()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/actions/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Survives its instance");
        await page.GetByLabel("Description").FillAsync("Typed before the instance died.");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = {{status}} WHERE id = 1");
        await page.GetByLabel("Name", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-parameter='status']")).ToBeVisibleAsync();
        await KeptAsync(page, "UPDATE orders SET status = {{status}} WHERE id = 1");
        Assert.Contains("editor:", await StoredDraftsAsync(page));
        Assert.Contains(":new", await StoredDraftsAsync(page));

        await ReloadAsync(page);
        await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("It has not been saved yet.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Survives its instance");
        await Assertions.Expect(page.GetByLabel("Description")).ToHaveValueAsync("Typed before the instance died.");
        await Assertions.Expect(page.Locator(".sql-monaco .view-lines")).ToHaveTextAsync("UPDATE orders SET status = {{status}} WHERE id = 1");
        await Assertions.Expect(page.Locator("[data-parameter='status']")).ToBeVisibleAsync();
        // Restored, not saved: nothing was created by the reload.
        var actions = fixture.App.Services.GetRequiredService<ActionService>();
        Assert.DoesNotContain("Survives its instance", (await actions.ListAsync(System, null, default)).Select(a => a.Name));

        // Saved: the draft is forgotten, and the saved action's page offers none.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/actions/\\d+$"));
        await NotKeptAsync(page, "Survives its instance");
        await ReloadAsync(page);
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Survives its instance");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);

        // An existing action: an edit, kept as it is typed (the field still has the focus), comes back after a reload,
        // and Discard puts the saved text back.
        await page.GetByLabel("Description").FillAsync("An edit not saved yet.");
        await KeptAsync(page, "An edit not saved yet.");
        Assert.Contains(":action:", await StoredDraftsAsync(page));
        await ReloadAsync(page);
        await Assertions.Expect(page.GetByLabel("Description")).ToHaveValueAsync("An edit not saved yet.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Description")).ToHaveValueAsync("Typed before the instance died.");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);
        Assert.Equal("[]", await StoredDraftsAsync(page));
        await ReloadAsync(page);
        await Assertions.Expect(page.GetByLabel("Description")).ToHaveValueAsync("Typed before the instance died.");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_run_page_gets_its_input_back_never_runs_it_by_itself_and_forgets_it_once_run()
    {
        var id = await ShippingActionAsync("Ship after a reload");
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/actions/{id}/run");
        await page.GetByLabel("Order ID").FillAsync("2");
        await KeptAsync(page, "\"order_id\":\"2\"");
        Assert.Contains($"run:", await StoredDraftsAsync(page));
        Assert.Contains($":action:{id}", await StoredDraftsAsync(page));

        await ReloadAsync(page);
        await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("It has not been run yet.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("2");
        Assert.Equal(0, await RunCountAsync(id));

        // Discard empties the form and the browser.
        await page.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);
        Assert.Equal("[]", await StoredDraftsAsync(page));

        // Run: once done, a reload offers nothing.
        await page.GetByLabel("Order ID").FillAsync("2");
        await KeptAsync(page, "\"order_id\":\"2\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "marked as shipped" })).ToBeVisibleAsync();
        await NotKeptAsync(page, "\"order_id\"");
        await ReloadAsync(page);
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);
        Assert.Equal(1, await RunCountAsync(id));
    }

    [Fact]
    public async Task A_run_interrupted_while_sending_comes_back_unsent_with_a_warning()
    {
        var id = await ShippingActionAsync("Ship interrupted");
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/actions/{id}/run");
        await page.GetByLabel("Order ID").FillAsync("3");
        await KeptAsync(page, "\"order_id\":\"3\"");
        // The instance died after the page marked the run as being sent (what SendingAsync writes), before any answer.
        await page.EvaluateAsync(
            "() => { for (const k of Object.keys(sessionStorage).filter(k => k.startsWith('actions.draft:run:'))) sessionStorage.setItem(k, sessionStorage.getItem(k).replace('\"sending\":false', '\"sending\":true')); }");

        await ReloadAsync(page);
        await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("it may or may not have run")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("3");
        Assert.Equal(0, await RunCountAsync(id));
    }

    [Fact]
    public async Task A_public_form_keeps_what_the_visitor_typed_in_its_tab_until_it_is_sent()
    {
        var settings = fixture.App.Services.GetRequiredService<SettingService>();
        await settings.SetAsync(System, SettingService.EnablePublicSharing, JsonValue.Create(true), default);
        var id = await ShippingActionAsync("Ship from a public link");
        var uuid = await fixture.App.Services.GetRequiredService<ActionService>().CreatePublicLinkAsync(System, id, default);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await BrowserSteps.GoAsync(fixture, page, $"/public/action/{uuid}");
        await page.GetByLabel("Order ID").FillAsync("4");
        await KeptAsync(page, "\"order_id\":\"4\"");
        Assert.Contains($"public:{uuid}", await StoredDraftsAsync(page));

        await ReloadAsync(page);
        await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("It has not been sent yet.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("4");
        Assert.Equal(0, await RunCountAsync(id));

        // Another tab of the same visitor starts empty: the draft belongs to the tab it was typed in.
        var other = await context.NewPageAsync();
        await BrowserSteps.GoAsync(fixture, other, $"/public/action/{uuid}");
        await Assertions.Expect(other.GetByLabel("Order ID")).ToHaveValueAsync("");
        await Assertions.Expect(other.GetByText(Restored)).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "marked as shipped" })).ToBeVisibleAsync();
        await NotKeptAsync(page, "\"order_id\"");
        await ReloadAsync(page);
        await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByText(Restored)).ToHaveCountAsync(0);
        Assert.Equal(1, await RunCountAsync(id));
    }

    [Fact]
    public async Task A_database_password_is_never_kept_in_the_browser()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/admin/databases");
        await BrowserSteps.PickAsync(page, "Engine", "PostgreSQL");
        await page.GetByLabel("User").FillAsync("reporting-reader");
        await page.GetByLabel("Password").FillAsync("Never-in-storage-7");
        await page.GetByLabel("Database name").FillAsync("warehouse");
        await page.GetByLabel("User").ClickAsync();
        await KeptAsync(page, "warehouse");

        var stored = await StoredDraftsAsync(page);
        Assert.Contains("reporting-reader", stored);
        Assert.DoesNotContain("Never-in-storage-7", stored);
        Assert.DoesNotContain("password", stored);

        await ReloadAsync(page);
        await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The password is never kept")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("User")).ToHaveValueAsync("reporting-reader");
        await Assertions.Expect(page.GetByLabel("Database name")).ToHaveValueAsync("warehouse");
        await Assertions.Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task When_its_instance_is_gone_the_page_reloads_by_itself_still_signed_in_with_the_input_back()
    {
        // Two instances, one after the other, on one port and one store: the second knows nothing of the first's pages.
        var port = FreePort();
        var settings = new Dictionary<string, string?> { ["Actions:SampleData"] = "true" };
        var first = new AppFactory(settings);
        var firstRunning = true;
        AppFactory? second = null;
        try
        {
            first.UseKestrel(port);
            first.StartServer();
            var baseUrl = BrowserFixture.BaseUrlOf(first);
            var id = await ActionIdByNameAsync(first, "Mark order as shipped");
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
            var page = await BrowserSteps.SignedInAdminAsync(baseUrl, context);
            await page.GotoAsync($"{baseUrl}/actions/{id}/run");
            await BrowserSteps.WaitInteractiveAsync(page);
            await page.GetByLabel("Order ID").FillAsync("6");
            await KeptAsync(page, "\"order_id\":\"6\"");

            // The instance dies: the page's connection drops and nothing reaches that instance any more.
            await context.RouteAsync("**/_blazor/**", route => route.AbortAsync());
            await page.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
            await page.Locator("#components-reconnect-modal").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            var dataDir = first.DataDir;
            await first.DisposeAsync();
            firstRunning = false;
            second = new AppFactory(settings, dataDir);
            second.UseKestrel(port);
            second.StartServer();
            await context.UnrouteAsync("**/_blazor/**");

            // Nobody reloads here: Blazor's reconnection reaches the new instance, which does not know the page's circuit,
            // and the page reloads itself; the sign-in cookie still holds there, and the input comes back.
            await Assertions.Expect(page.GetByText(Restored)).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByLabel("Order ID")).ToHaveValueAsync("6");
            Assert.EndsWith($"/actions/{id}/run", page.Url, StringComparison.Ordinal);
            Assert.Equal(0, await RunCountAsync(second, id));
        }
        finally
        {
            if (firstRunning) await first.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
