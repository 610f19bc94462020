using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// The editor's quality bar (ui.md § The quality bar): a test run of the unsaved draft that keeps the values and says
/// what the action's success message says, a warning when nothing changed, a preview that stays in view, one asterisk,
/// SQL typed at full speed that arrives exactly, errors beside their cause, and date-times that load into their fields.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorQualityBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly Caller System = new(0, true, new HashSet<int> { 2 });

    private async Task<IPage> NewActionPageAsync(IBrowserContext context)
    {
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/actions/new");
        return page;
    }

    private Task<IBrowserContext> WideContextAsync() =>
        fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });

    private static ILocator Preview(IPage page) => page.Locator("[data-testid='preview']");

    private static ILocator PreviewInput(IPage page, string field) => Preview(page).Locator($"[data-field='{field}'] input");

    /// <summary>Clicks Test run and confirms it (the question opens with the focus on Cancel, the safe choice).</summary>
    private static async Task TestRunAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Test run" }).ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
    }

    private async Task<JsonArray> LogEntriesAsync(string actionName)
    {
        var history = fixture.App.Services.GetRequiredService<ExecutionHistoryService>();
        var all = await history.AllAsync(System, new ExecutionHistoryService.Filter(null, null, null, 500, 0), default);
        return new JsonArray(all["data"]!.AsArray().Where(e => e!["action_name"]!.GetValue<string>() == actionName).Select(e => e!.DeepClone()).ToArray());
    }

    [Fact]
    public async Task A_draft_test_runs_before_saving_keeps_its_values_and_says_the_success_message()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Draft test run");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = {{status}} WHERE id = {{order_id}}");
        // The tags are marked in the SQL.
        await Assertions.Expect(page.Locator(".sql-monaco .code-tag")).ToHaveCountAsync(2);
        await page.GetByLabel("Success message").FillAsync("Updated {{rows-affected}} order.");
        await Assertions.Expect(PreviewInput(page, "order_id")).ToBeVisibleAsync();
        await PreviewInput(page, "status").FillAsync("packed");
        await PreviewInput(page, "order_id").FillAsync("2");

        await TestRunAsync(page);
        await Assertions.Expect(Preview(page).GetByText("Updated 1 order.")).ToBeVisibleAsync();
        // The values stay, and no field is flagged as missing.
        await Assertions.Expect(PreviewInput(page, "status")).ToHaveValueAsync("packed");
        await Assertions.Expect(PreviewInput(page, "order_id")).ToHaveValueAsync("2");
        await Assertions.Expect(Preview(page).GetByText("is required")).ToHaveCountAsync(0);
        // The raw answer only behind the details toggle.
        await Assertions.Expect(page.GetByText("{\"rows-affected\":1}")).ToHaveCountAsync(0);
        await Preview(page).GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await Assertions.Expect(Preview(page).GetByText("\"rows-affected\"")).ToBeVisibleAsync();

        // Run again: the values are still there for the second run.
        await TestRunAsync(page);
        await Assertions.Expect(PreviewInput(page, "status")).ToHaveValueAsync("packed");

        // A required field shows one asterisk.
        await page.Locator("[data-parameter='order_id']").GetByLabel("Required").CheckAsync();
        await Assertions.Expect(Preview(page).Locator("[data-field='order_id'] .mud-input-required")).ToHaveCountAsync(1);
        var label = Preview(page).Locator("[data-field='order_id'] label");
        // What is drawn: the label's text and what CSS adds after it.
        Assert.Equal(1, await label.EvaluateAsync<int>("l => (l.innerText + getComputedStyle(l, '::after').content).split('*').length - 1"));

        // Both runs are in the log as draft runs from the browser (the action was never saved).
        var entries = await LogEntriesAsync("Draft test run");
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal("ui", e!["source"]!.GetValue<string>());
            Assert.True(e["draft"]!.GetValue<bool>());
            Assert.Equal("success", e["status"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task An_update_that_changed_no_row_is_a_warning_not_a_success()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Changes nothing");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = 'lost' WHERE id = {{order_id}}");
        await Assertions.Expect(PreviewInput(page, "order_id")).ToBeVisibleAsync();
        await PreviewInput(page, "order_id").FillAsync("987654");
        await TestRunAsync(page);
        await Assertions.Expect(Preview(page).Locator(".mud-alert-text-warning, .mud-alert-filled-warning, .mud-alert-outlined-warning"))
            .ToContainTextAsync("No row was changed");
        await Assertions.Expect(Preview(page).Locator("[class*='mud-alert'][class*='success']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_implicit_action_shows_its_fields_before_the_first_save()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await Assertions.Expect(page.Locator("[placeholder='Choose a model']")).ToHaveCountAsync(1);
        await BrowserSteps.PickAsync(page, "Model", "Products");
        await BrowserSteps.PickAsync(page, "Type", "Implicit (create, update or delete a row)");
        await Assertions.Expect(page.Locator("[data-parameter='title']")).ToBeVisibleAsync();
        await Assertions.Expect(Preview(page).Locator("[data-field='title'] input")).ToBeVisibleAsync();
        await BrowserSteps.PickAsync(page, "Kind", "Delete a row");
        await Assertions.Expect(page.Locator("[data-parameter]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByText("template tag", new() { Exact = false })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_preview_stays_in_view_while_the_field_list_scrolls()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        var tags = Enumerable.Range(1, 8).Select(i => $"{{{{note_{i}}}}}");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET status = " + string.Join(" || ", tags) + " WHERE id = 1");
        await Assertions.Expect(page.Locator("[data-parameter]")).ToHaveCountAsync(8);

        await page.Locator("[data-parameter='note_8']").ScrollIntoViewIfNeededAsync();
        await page.EvaluateAsync("() => window.scrollTo(0, document.documentElement.scrollHeight)");
        await page.WaitForFunctionAsync("() => window.scrollY > 300");
        var box = await Preview(page).BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.InRange(box!.Y, 0, 900 - 40);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("editor-sticky-preview.png") });
    }

    [Fact]
    public async Task Sql_typed_at_full_speed_right_after_choosing_a_model_or_type_arrives_exactly()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        var lines = page.Locator(".sql-monaco .view-lines");
        for (var i = 0; i < 20; i++)
        {
            if (i % 2 == 0)
            {
                await BrowserSteps.PickAsync(page, "Model", i % 4 == 0 ? "Orders" : "Products");
            }
            else
            {
                await BrowserSteps.PickAsync(page, "Type", "HTTP request");
                await BrowserSteps.PickAsync(page, "Type", "Query (SQL)");
            }
            var sql = $"UPDATE orders SET status = 'cancelled' WHERE id = {{{{order_{i}}}}}";
            await lines.WaitForAsync();
            await lines.ClickAsync();
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.PressAsync("Backspace");
            await page.Keyboard.TypeAsync(sql);
            await Assertions.Expect(lines).ToHaveTextAsync(sql);
            // The server has exactly that text too: its one tag became the one input.
            await Assertions.Expect(page.Locator("[data-parameter]")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator($"[data-parameter='order_{i}']")).ToHaveCountAsync(1);
            await Assertions.Expect(lines).ToHaveTextAsync(sql);
        }
    }

    [Fact]
    public async Task A_constraint_error_is_shown_on_the_field_it_names()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Breaks a check");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.TypeSqlAsync(page, "UPDATE orders SET quantity = {{quantity}} WHERE id = {{order_id}}");
        await Assertions.Expect(PreviewInput(page, "quantity")).ToBeVisibleAsync();
        await PreviewInput(page, "quantity").FillAsync("0");
        await PreviewInput(page, "order_id").FillAsync("1");
        await TestRunAsync(page);
        await Assertions.Expect(Preview(page).Locator("[data-field='quantity']")).ToContainTextAsync("quantity_positive");
        await Assertions.Expect(Preview(page).Locator("[data-field='order_id']")).Not.ToContainTextAsync("quantity_positive");
        await Assertions.Expect(PreviewInput(page, "quantity")).ToHaveValueAsync("0");
    }

    [Fact]
    public async Task The_network_guard_refusal_is_shown_on_the_url_with_the_setting_that_allows_it()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Calls a private address");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.PickAsync(page, "Type", "HTTP request");
        await page.GetByLabel("URL").FillAsync("http://127.0.0.1:9/hook");
        await TestRunAsync(page);
        var url = page.Locator(".mud-input-control").Filter(new() { Has = page.GetByLabel("URL") });
        await Assertions.Expect(url).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(url).ToContainTextAsync("AllowPrivateNetworks");
    }

    [Fact]
    public async Task Invalid_headers_json_is_flagged_as_it_is_typed_before_saving()
    {
        await using var context = await WideContextAsync();
        var page = await NewActionPageAsync(context);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Bad headers");
        await BrowserSteps.PickAsync(page, "Model", "Orders");
        await BrowserSteps.PickAsync(page, "Type", "HTTP request");
        var headers = page.Locator("[data-testid='headers-editor']");
        await headers.Locator(".view-lines").ClickAsync();
        await page.Keyboard.TypeAsync("{\"X-Token\": ");
        await Assertions.Expect(headers.GetByRole(AriaRole.Alert)).ToContainTextAsync("JSON");
        await page.Keyboard.TypeAsync("\"abc\"}");
        await Assertions.Expect(headers.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        // The body is a code editor too.
        await Assertions.Expect(page.Locator("[data-testid='body-editor'] .monaco-editor").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_rows_date_time_loads_into_a_date_and_time_field()
    {
        var actions = fixture.App.Services.GetRequiredService<ActionService>();
        var list = await actions.ListAsync(System, null, default);
        var id = list.OfType<ImplicitActionDetails>().First(a => a.Kind == "row/update").Id;
        var action = await actions.GetAsync(System, id, default);
        var settings = action.VisualizationSettings!.DeepClone().AsObject();
        var fields = settings["fields"]!.AsObject();
        fields["created_at"]!["inputType"] = "datetime";
        await actions.UpdateAsync(System, id, ActionInput.Validate(new RequestBody(new JsonObject { ["visualization_settings"] = settings }), creating: false), default);

        await using var context = await WideContextAsync();
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/actions/{id}/run");
        await page.Locator("[data-field='id'] input").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Load current values" }).ClickAsync();
        var createdAt = page.Locator("[data-field='created_at'] input");
        await Assertions.Expect(createdAt).ToHaveAttributeAsync("type", "datetime-local");
        await Assertions.Expect(createdAt).ToHaveValueAsync(new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"));
    }
}
