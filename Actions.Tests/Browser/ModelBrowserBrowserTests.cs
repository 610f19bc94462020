using Actions.Data.Execution.Log;
using System.Data.Common;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Errors;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// The model browser in Chromium: a row action opens with the row's current values and the row shows the change; a bulk
/// run over three rows where one fails lists two successes and one error, and logs three runs.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ModelBrowserBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly Caller System = new(0, true, new HashSet<int> { 2 });

    /// <summary>A SQLite target of its own: gadgets with the basic actions, stock with a query action that cannot go below zero.</summary>
    private async Task<(int Gadgets, int Stock, int TakeOne)> TargetAsync()
    {
        var path = TargetDatabases.Sqlite("""
            CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, colour TEXT);
            INSERT INTO gadgets VALUES (1, 'Sprocket', 'red'), (2, 'Widget', 'blue'), (3, 'Gizmo', 'red');
            CREATE TABLE stock (id INTEGER PRIMARY KEY, item TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0));
            INSERT INTO stock VALUES (1, 'bolts', 5), (2, 'nuts', 0), (3, 'screws', 7);
            """);
        var services = fixture.App.Services;
        var databases = services.GetRequiredService<DatabaseService>();
        var database = await databases.CreateAsync(System, new DatabaseService.NewDatabase($"Browser rows {Guid.NewGuid():N}", "sqlite",
            new JsonObject { ["db"] = path }, ActionsEnabled: true), default);
        var tables = (await databases.MetadataAsync(System, database.Id, default)).Tables;
        async Task<int> Model(string name)
        {
            var table = tables.Single(t => t.Name == name.ToLowerInvariant());
            var query = new JsonObject { ["database"] = database.Id, ["type"] = "query", ["query"] = new JsonObject { ["source-table"] = table.Id } };
            return (await services.GetRequiredService<CardService>().CreateAsync(System, new CardService.CardInput(name, Card.ModelType, query,
                new CardQuery(database.Id, table.Id, null, false), false, null, false, null, "table", false, null, null), default)).Id;
        }
        var gadgets = await Model("Gadgets");
        var stock = await Model("Stock");
        var actions = services.GetRequiredService<ActionService>();
        await actions.CreateBasicActionsAsync(System, gadgets, default);
        var takeOne = new JsonObject
        {
            ["name"] = "Take one", ["type"] = "query", ["model_id"] = stock, ["database_id"] = database.Id,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = database.Id, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = "UPDATE stock SET qty = qty - 1 WHERE id = {{id}}",
                    ["template-tags"] = new JsonObject { ["id"] = new JsonObject { ["id"] = "id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number", ["required"] = true } },
                },
            },
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["required"] = true, ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")),
            }),
        };
        var created = await actions.CreateAsync(System, ActionInput.Validate(new RequestBody(takeOne), creating: true), default);
        return (gadgets, stock, created.Id);
    }

    [Fact]
    public async Task A_row_action_opens_with_the_rows_values_and_the_row_shows_the_change()
    {
        var (gadgets, _, _) = await TargetAsync();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/models/{gadgets}");
        await Assertions.Expect(page.Locator("tbody tr[data-row]")).ToHaveCountAsync(3);

        await page.GetByRole(AriaRole.Button, new() { Name = "Update Gadgets: row 2" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("[data-field='name'] input")).ToHaveValueAsync("Widget");
        await Assertions.Expect(dialog.Locator("[data-field='id'] input")).ToHaveValueAsync("2");
        await dialog.Locator("[data-field='colour'] input").FillAsync("green");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        var row = page.Locator("tr[data-row='2']");
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("green");
        await Assertions.Expect(row.Locator("[data-row-outcome]")).ToContainTextAsync("Done.");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("model-browser.png"), FullPage = true });
    }

    [Fact]
    public async Task A_bulk_run_over_three_rows_where_one_fails_shows_each_rows_outcome_and_logs_three_runs()
    {
        var (_, stock, takeOne) = await TargetAsync();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, $"/models/{stock}");
        await Assertions.Expect(page.Locator("tbody tr[data-row]")).ToHaveCountAsync(3);

        // MudBlazor's checkbox input is drawn over by its icon: clicked as the icon's click reaches it.
        await page.Locator("thead input[type='checkbox']").DispatchEventAsync("click");
        await Assertions.Expect(page.Locator("[data-selection]")).ToHaveTextAsync("3 selected.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run on selected rows…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("[data-bulk-confirm]")).ToContainTextAsync("once on each of 3 rows");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run on 3 rows" }).ClickAsync();

        var outcomes = page.Locator("[data-bulk-outcomes] tbody tr");
        // Three runs one after another: on a machine busy with the rest of the suite this has taken longer than the
        // default 20 s wait (a wait, not a timing assertion).
        try
        {
            await Assertions.Expect(outcomes).ToHaveCountAsync(3, new() { Timeout = 90_000 });
        }
        catch (PlaywrightException e)
        {
            // Seen once in a full run (no outcome after 90 s): what the page showed then, for the next look.
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("model-browser-bulk-failed.png"), FullPage = true });
            throw new InvalidOperationException($"No bulk outcomes; the page at {page.Url} showed: {await page.InnerTextAsync("body")}", e);
        }
        await Assertions.Expect(page.Locator("[data-bulk-outcomes] tr[data-outcome='success']")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-bulk-outcomes] tr[data-outcome='error']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-bulk-outcomes] tr[data-outcome='error']")).ToContainTextAsync("CHECK constraint failed");
        await Assertions.Expect(page.GetByText("Ran on 3 rows: 2 succeeded, 1 failed.")).ToBeVisibleAsync();
        // The rows show what the runs did.
        await Assertions.Expect(page.Locator("tr[data-row='1'] td").Nth(3)).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("tr[data-row='3'] td").Nth(3)).ToHaveTextAsync("6");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("model-browser-bulk.png"), FullPage = true });

        // The runs' entries are journaled before each answer and moved into the table shortly after.
        await fixture.App.Services.GetRequiredService<ExecutionLogWriter>().FlushAsync(default);
        using var store = fixture.App.OpenStore();
        Assert.Equal(3, LoggedRuns(store, takeOne));
    }

    private static long LoggedRuns(DbConnection store, int actionId)
    {
        using var command = store.CreateCommand();
        command.CommandText = """SELECT COUNT(*) FROM "ExecutionLog" WHERE "ActionId" = @id""";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = actionId;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(command.ExecuteScalar(), global::System.Globalization.CultureInfo.InvariantCulture);
    }
}
