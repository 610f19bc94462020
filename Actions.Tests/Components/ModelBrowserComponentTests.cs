using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;
using Actions.Web.Components.ActionPages;
using AngleSharp.Dom;
using Bunit;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>
/// bUnit tests of the model browser: a row action's form opens with the row's key and current values, the row shows the
/// change and the outcome; a bulk run asks with the count first and lists each row's outcome; search, filters and sorting.
/// </summary>
[Collection("Components")]
public sealed class ModelBrowserComponentTests(ComponentHost host)
{
    /// <summary>A SQLite target of its own (the tests change rows): gadgets with basic actions, stock with a query action.</summary>
    private async Task<(int Gadgets, int Stock, int TakeOne, string Path, int TakeIfPlenty)> TargetAsync()
    {
        var path = TargetDatabases.Sqlite("""
            CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, colour TEXT, weight INTEGER, secret TEXT);
            INSERT INTO gadgets VALUES (1, 'Sprocket', 'red', 10, 's1'), (2, 'Widget', 'blue', 20, 's2'), (3, 'Gizmo', 'red', 30, 's3');
            CREATE TABLE stock (id INTEGER PRIMARY KEY, item TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0));
            INSERT INTO stock VALUES (1, 'bolts', 5), (2, 'nuts', 0), (3, 'screws', 7);
            """);
        var databaseId = await TargetDatabases.RegisterAsync(host.Admin, "sqlite", new JsonObject { ["db"] = path });
        var (gadgetsTable, fields) = await TargetDatabases.TableAsync(host.Admin, databaseId, "gadgets");
        (await host.Admin.Put($"/api/field/{fields["secret"]["id"]}", new { visibility_type = "sensitive" })).Expect(HttpStatusCode.OK);
        var (stockTable, _) = await TargetDatabases.TableAsync(host.Admin, databaseId, "stock");
        async Task<int> Model(string name, int table) =>
            (await host.Admin.Post("/api/card", Api.ModelsApiTests.Model(name, databaseId, table).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var gadgets = await Model("Gadgets", gadgetsTable);
        var stock = await Model("Stock", stockTable);
        (await host.Admin.Post($"/api/model/{gadgets}/implicit-actions")).Expect(HttpStatusCode.OK);
        async Task<int> QueryAction(string name, string sql)
        {
            var action = new JsonObject
            {
                ["name"] = name, ["type"] = "query", ["model_id"] = stock, ["database_id"] = databaseId,
                ["dataset_query"] = new JsonObject
                {
                    ["database"] = databaseId, ["type"] = "native",
                    ["native"] = new JsonObject
                    {
                        ["query"] = sql,
                        ["template-tags"] = new JsonObject { ["id"] = new JsonObject { ["id"] = "id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number", ["required"] = true } },
                    },
                },
                ["parameters"] = new JsonArray(new JsonObject
                {
                    ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["required"] = true, ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")),
                }),
                ["visualization_settings"] = new JsonObject { ["type"] = "form", ["successMessage"] = "Took {{rows-affected}}." },
            };
            return (await host.Admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        }
        var takeOneId = await QueryAction("Take one", "UPDATE stock SET qty = qty - 1 WHERE id = {{id}}");
        var takeIfPlenty = await QueryAction("Take one if plenty", "UPDATE stock SET qty = qty - 1 WHERE id = {{id}} AND qty > 5");
        return (gadgets, stock, takeOneId, path, takeIfPlenty);
    }

    private static string[] Column(IRenderedComponent<ModelBrowser> page, int index) =>
        page.FindAll("tbody tr[data-row]").Select(tr => tr.QuerySelectorAll("td")[index].TextContent.Trim()).ToArray();

    private static IElement Button<T>(IRenderedComponent<T> fragment, string label) where T : Microsoft.AspNetCore.Components.IComponent =>
        fragment.FindAll("button").Single(b => b.GetAttribute("aria-label") == label || b.TextContent.Trim() == label);

    [Fact]
    public async Task A_row_action_opens_with_the_rows_current_values_and_the_row_shows_the_change()
    {
        var (gadgets, _, _, _, _) = await TargetAsync();
        await using var ctx = host.Context(host.AdminId);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, gadgets));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr[data-row]").Count));
        // Display names, no sensitive column; the first column is the bulk selection.
        Assert.Equal(["ID", "Name", "Colour", "Weight"], page.FindAll("th[data-column]").Select(th => th.TextContent.Trim()));
        // (Checked in the cells, not the whole markup: MudBlazor's random element ids may contain any two characters.)
        Assert.DoesNotContain(page.FindAll("tbody td"), td => td.TextContent.Contains("s2", StringComparison.Ordinal));
        Assert.Equal(["Sprocket", "Widget", "Gizmo"], Column(page, 2));

        var opening = Button(page, "Update Gadgets: row 2").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Equal("Widget", dialogs.Find("[data-field='name'] input").GetAttribute("value")));
        Assert.Equal("2", dialogs.Find("[data-field='id'] input").GetAttribute("value"));
        Assert.Equal("blue", dialogs.Find("[data-field='colour'] input").GetAttribute("value"));
        Assert.Equal("20", dialogs.Find("[data-field='weight'] input").GetAttribute("value"));

        dialogs.Find("[data-field='colour'] input").Input("green");
        await Button(dialogs, "Run").ClickAsync(new());
        // The button's handler waits for the dialog: it ends once the run closed it.
        await opening;
        page.WaitForAssertion(() => Assert.Equal(["red", "green", "red"], Column(page, 3)), TimeSpan.FromSeconds(20));
        Assert.Contains("Done.", page.Find("tr[data-row='2'] [data-row-outcome]").TextContent);
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-field]")));
    }

    [Fact]
    public async Task A_bulk_run_asks_with_the_count_and_lists_each_rows_outcome()
    {
        var (_, stock, takeOne, path, _) = await TargetAsync();
        await using var ctx = host.Context(host.AdminId);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, stock));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr[data-row]").Count));
        foreach (var row in new[] { 1, 2, 3 })
            page.Find($"tr[data-row='{row}'] input[type='checkbox']").Change(true);
        page.WaitForAssertion(() => Assert.Contains("3 selected.", page.Find("[data-selection]").TextContent));

        // Cancel: nothing runs.
        var asking = Button(page, "Run on selected rows…").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("once on each of 3 rows", dialogs.Find("[data-bulk-confirm]").TextContent));
        await Button(dialogs, "Cancel").ClickAsync(new());
        await asking;
        Assert.Equal(0, await RunCountAsync(takeOne));

        asking = Button(page, "Run on selected rows…").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("once on each of 3 rows", dialogs.Find("[data-bulk-confirm]").TextContent));
        await Button(dialogs, "Run on 3 rows").ClickAsync(new());
        await asking;
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-bulk-outcomes] tbody tr").Count), TimeSpan.FromSeconds(20));
        Assert.Equal(["success", "error", "success"], page.FindAll("[data-bulk-outcomes] tbody tr").Select(tr => tr.GetAttribute("data-outcome")));
        Assert.Contains("CHECK constraint failed", page.FindAll("[data-bulk-outcomes] tbody tr")[1].TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ran on 3 rows: 2 succeeded, 1 failed.", page.Markup);
        // The page shows the rows as they are now, each with its outcome beside it.
        page.WaitForAssertion(() => Assert.Equal(["4", "0", "6"], Column(page, 3)));
        Assert.Contains("Took 1.", page.Find("tr[data-row='1'] [data-row-outcome]").TextContent);
        Assert.Contains("CHECK constraint failed", page.Find("tr[data-row='2'] [data-row-outcome]").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, await RunCountAsync(takeOne));
        Assert.Equal("4", Scalar(path, "SELECT qty FROM stock WHERE id = 1"));
    }

    [Fact]
    public async Task A_run_that_changed_no_row_says_so_as_a_warning_beside_the_row_and_in_the_bulk_outcomes()
    {
        var (_, stock, _, path, takeIfPlenty) = await TargetAsync();
        await using var ctx = host.Context(host.AdminId);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, stock));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr[data-row]").Count));

        // Row 1 has 5 bolts: "if plenty" (more than 5) changes nothing.
        var opening = Button(page, "Take one if plenty: row 1").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Equal("1", dialogs.Find("[data-field='id'] input").GetAttribute("value")));
        await Button(dialogs, "Run").ClickAsync(new());
        await opening;
        page.WaitForAssertion(() => Assert.Equal("warning", page.Find("tr[data-row='1'] [data-row-outcome]").GetAttribute("data-row-outcome")));
        Assert.Contains("No row was changed", page.Find("tr[data-row='1'] [data-row-outcome]").TextContent);
        Assert.Equal("5", Scalar(path, "SELECT qty FROM stock WHERE id = 1"));

        // In bulk over rows 1 and 3: row 1 changes nothing, row 3 (7 screws) gives one.
        var bulkAction = page.FindComponents<MudSelect<int?>>().Single(c => c.Instance.Label == "Action to run on each row");
        await page.InvokeAsync(() => bulkAction.Instance.ValueChanged.InvokeAsync(takeIfPlenty));
        foreach (var row in new[] { 1, 3 })
            page.Find($"tr[data-row='{row}'] input[type='checkbox']").Change(true);
        page.WaitForAssertion(() => Assert.Contains("2 selected.", page.Find("[data-selection]").TextContent));
        var asking = Button(page, "Run on selected rows…").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("once on each of 2 rows", dialogs.Find("[data-bulk-confirm]").TextContent));
        await Button(dialogs, "Run on 2 rows").ClickAsync(new());
        await asking;
        page.WaitForAssertion(() => Assert.Equal(["warning", "success"],
            page.FindAll("[data-bulk-outcomes] tbody tr").Select(tr => tr.GetAttribute("data-outcome"))), TimeSpan.FromSeconds(20));
        Assert.Contains("Ran on 2 rows: 2 succeeded, 0 failed. 1 changed no row.", page.Markup);
        Assert.Equal("warning", page.Find("tr[data-row='1'] [data-row-outcome]").GetAttribute("data-row-outcome"));
        Assert.Equal("success", page.Find("tr[data-row='3'] [data-row-outcome]").GetAttribute("data-row-outcome"));
        Assert.Equal("6", Scalar(path, "SELECT qty FROM stock WHERE id = 3"));
    }

    [Fact]
    public async Task Search_filters_and_sorting_narrow_and_order_the_rows()
    {
        var (gadgets, _, _, _, _) = await TargetAsync();
        await using var ctx = host.Context(host.AdminId);
        var page = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, gadgets));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr[data-row]").Count));

        // Sorting by a header: ascending, then descending.
        await Button(page, "Sort by Name").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(["Gizmo", "Sprocket", "Widget"], Column(page, 2)));
        Assert.Equal("ascending", page.Find("th[data-column='name']").GetAttribute("aria-sort"));
        await Button(page, "Sort by Name").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(["Widget", "Sprocket", "Gizmo"], Column(page, 2)));

        // The search looks in every text column.
        page.Find("input[placeholder^='Search']").Input("blue");
        page.WaitForAssertion(() => Assert.Equal(["Widget"], Column(page, 2)), TimeSpan.FromSeconds(10));
        page.Find("input[placeholder^='Search']").Input("nothing like this");
        page.WaitForAssertion(() => Assert.Contains("No rows match the filter.", page.Markup), TimeSpan.FromSeconds(10));

        // A column's filter: text contains, any case.
        var fresh = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, gadgets));
        fresh.WaitForAssertion(() => Assert.Equal(3, fresh.FindAll("tbody tr[data-row]").Count));
        fresh.Find("[data-filter='colour'] input").Input("RED");
        fresh.WaitForAssertion(() => Assert.Equal(["Sprocket", "Gizmo"], Column(fresh, 2)), TimeSpan.FromSeconds(10));
        Assert.Contains("of 2", fresh.Find("[data-range]").TextContent);
        // A value the column cannot hold is said on that column.
        fresh.Find("[data-filter='weight'] input").Input("heavy");
        fresh.WaitForAssertion(() => Assert.Contains("Weight: enter a number.", fresh.Find("[data-filter='weight']").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Someone_who_may_not_read_the_model_sees_why_and_no_rows()
    {
        var (gadgets, _, _, _, _) = await TargetAsync();
        var collection = (await host.Admin.Post("/api/collection", new { name = $"Private {Guid.NewGuid():N}" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        (await host.Admin.Put($"/api/card/{gadgets}", new { collection_id = collection })).Expect(HttpStatusCode.OK);
        var revision = (await host.Admin.Get("/api/collection/graph")).Expect(HttpStatusCode.OK).Json["revision"]!.GetValue<int>();
        (await host.Admin.Put("/api/collection/graph", new { revision, groups = new Dictionary<string, object> { ["1"] = new Dictionary<string, string> { [collection.ToString(System.Globalization.CultureInfo.InvariantCulture)] = "none" } } }))
            .Expect(HttpStatusCode.OK);
        await using var ctx = host.Context(host.MemberId);
        var page = ctx.Render<ModelBrowser>(p => p.Add(x => x.Id, gadgets));
        page.WaitForAssertion(() => Assert.Contains("You don't have permission to do that.", page.Find("[role='alert']").TextContent));
        Assert.Empty(page.FindAll("tbody tr[data-row]"));
    }

    private async Task<int> RunCountAsync(int id) =>
        (await host.Admin.Get($"/api/action/{id}/execution?limit=1000")).Expect(HttpStatusCode.OK).Json["total"]!.GetValue<int>();

    private static string Scalar(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
