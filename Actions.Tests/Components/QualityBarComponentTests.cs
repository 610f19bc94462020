using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Execution.Log;
using Actions.Data.Store;
using Actions.Web.Components.ActionPages;
using Actions.Web.Components.AdminPages;
using Actions.Web.Components.Shared;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>
/// ui.md § The quality bar, the points that live in one component: buttons a person may not use are not shown (and
/// the page says why), lists tell "no matches" from "nothing yet", the history reads as words, Copy says "Copied".
/// </summary>
[Collection("Components")]
public sealed class QualityBarComponentTests(ComponentHost host)
{
    private static void Choose<T>(IRenderedComponent<T> page, IRenderedComponent<MudPopoverProvider> popovers, string label, string option) where T : IComponent
    {
        var select = page.FindAll(".mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == label);
        select.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == option));
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == option).Click();
    }

    [Fact]
    public async Task A_reader_sees_no_new_action_button_and_is_told_why()
    {
        await using var ctx = host.Context(host.MemberId);
        var list = ctx.Render<ActionList>();
        list.WaitForAssertion(() => Assert.Contains("Mark order as shipped", list.Markup));
        Assert.Empty(list.FindAll("a[href='/actions/new']"));
        Assert.Contains("needs write access", list.Find("[data-testid='no-write']").TextContent);

        await using var adminCtx = host.Context(host.AdminId);
        var adminList = adminCtx.Render<ActionList>();
        adminList.WaitForAssertion(() => Assert.Single(adminList.FindAll("a[href='/actions/new']")));
        Assert.Empty(adminList.FindAll("[data-testid='no-write']"));
    }

    [Fact]
    public async Task A_reader_sees_no_create_model_or_basic_actions_and_is_told_why()
    {
        await using var ctx = host.Context(host.MemberId);
        var page = ctx.Render<Models>();
        page.WaitForAssertion(() => Assert.Contains("needs write access", page.Find("[data-testid='no-write']").TextContent));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Create model"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("basic actions"));
        Assert.Empty(page.FindAll("a[href^='/actions/new']"));
    }

    [Fact]
    public async Task Create_basic_actions_offers_only_the_missing_ones()
    {
        var databaseId = (await host.Admin.Get("/api/database")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray()
            .First(d => d!["name"]!.GetValue<string>() == "Sample Database")!["id"]!.GetValue<int>();
        var tables = (await host.Admin.Get($"/api/database/{databaseId}/metadata")).Expect(HttpStatusCode.OK).Json["tables"]!.AsArray();
        var tableId = tables.First(t => t!["name"]!.GetValue<string>().Equals("customers", StringComparison.OrdinalIgnoreCase))!["id"]!.GetValue<int>();
        var name = $"Basic {Guid.NewGuid():N}";
        var modelId = (await host.Admin.Post("/api/card", Api.ModelsApiTests.Model(name, databaseId, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

        await using (var ctx = host.Context(host.AdminId))
        {
            var page = ctx.Render<Models>();
            page.WaitForAssertion(() => Assert.Equal("Create basic actions", page.Find($"[data-basic-actions='{name}']").TextContent.Trim()));
            page.Find($"[data-basic-actions='{name}']").Click();
            // Made: the button is gone for this model.
            page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-basic-actions='{name}']")));
        }
        var created = (await host.Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray().Where(a => a!["model_id"]!.GetValue<int>() == modelId).ToList();
        Assert.Equal(3, created.Count);

        var update = created.Single(a => a!["kind"]!.GetValue<string>() == "row/update")!["id"]!.GetValue<int>();
        (await host.Admin.Delete($"/api/action/{update}")).Expect(HttpStatusCode.NoContent);
        await using (var ctx = host.Context(host.AdminId))
        {
            var page = ctx.Render<Models>();
            page.WaitForAssertion(() => Assert.Equal("Create Update row", page.Find($"[data-basic-actions='{name}']").TextContent.Trim()));
        }
    }

    [Fact]
    public async Task No_matches_is_not_no_actions_and_clearing_the_filters_brings_them_back()
    {
        await using var ctx = host.Context(host.AdminId);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/actions?q=no%20action%20is%20called%20this");
        var list = ctx.Render<ActionList>();
        list.WaitForAssertion(() => Assert.Contains("No actions match these filters.", list.Find("[data-testid='no-matches']").TextContent));
        Assert.Empty(list.FindAll("[data-testid='no-actions']"));
        list.FindAll("button").First(b => b.TextContent.Trim() == "Clear filters").Click();
        // The filters live in the address: clearing them navigates to the list without them.
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        Assert.DoesNotContain("q=", navigation.Uri);
    }

    [Fact]
    public async Task Type_chips_and_the_type_filter_use_the_same_words()
    {
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var list = ctx.Render<ActionList>();
        list.WaitForAssertion(() => Assert.Contains("Update product", list.Markup));
        var chips = list.FindAll("td[data-label='Type']").Select(td => td.TextContent.Trim()).ToHashSet();
        Assert.Contains("Query", chips);
        Assert.Contains("Update row", chips);
        Assert.Contains("HTTP", chips);
        Assert.DoesNotContain("row/update", chips);

        Choose(list, popovers, "Type", "Update row");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        Assert.Contains("type=row%2Fupdate", navigation.Uri);
    }

    [Fact]
    public async Task People_page_offers_no_way_to_deactivate_oneself()
    {
        await using var ctx = host.Context(host.AdminId);
        var page = ctx.Render<PeopleAdmin>();
        page.WaitForAssertion(() => Assert.Contains("admin@example.com", page.Markup));
        var rows = page.FindAll("tbody tr").Where(r => r.QuerySelectorAll("td").Length >= 6).ToList();
        var mine = rows.Single(r => r.TextContent.Contains("admin@example.com"));
        Assert.DoesNotContain(mine.QuerySelectorAll("button"), b => b.TextContent.Trim() == "Deactivate");
        Assert.Contains("This is you", mine.TextContent);
        Assert.Contains(rows.Where(r => r != mine), r => r.QuerySelectorAll("button").Any(b => b.TextContent.Trim() == "Deactivate"));
    }

    [Fact]
    public async Task Share_dialog_says_copied_after_copying()
    {
        await host.SetPublicSharingAsync(true);
        var id = await host.CopyOfExampleQueryAsync("Copy");
        (await host.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK);
        await using var ctx = host.Context(host.AdminId);
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<ShareDialog>("Share", new DialogParameters<ShareDialog> { { d => d.ActionId, id }, { d => d.ActionName, "Copy" } }));
        provider.WaitForElement("[aria-label='Copy link']").Click();
        provider.WaitForAssertion(() => Assert.Equal("Copied", provider.Find("[data-testid='copy-status']").TextContent.Trim()));
        Assert.NotNull(provider.Find("[aria-label='Copied']"));
    }

    /// <summary>A copy of the example query with one API run (values not stored, as by default) and one draft run logged.</summary>
    private async Task<(int Id, string Name)> ActionWithLoggedRunsAsync()
    {
        var id = await host.CopyOfExampleQueryAsync("Readable");
        (await host.Admin.Post($"/api/action/{id}/execute", new { parameters = new { order_id = 2 } })).Expect(HttpStatusCode.OK);
        var name = (await host.Admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK).Json["name"]!.GetValue<string>();
        // The run's entry is in the table before the later one is written beside the writer (the journal moves it shortly
        // after the answer, and the table's ids give the history's order).
        await host.App.Services.GetRequiredService<ExecutionLogWriter>().FlushAsync(default);
        await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        db.ExecutionLog.Add(new ExecutionLogEntry
        {
            ActionId = id, ActionName = name, ActionType = "query", Source = "ui", UserId = host.AdminId, StartedAt = DateTime.UtcNow, Status = "error",
            HttpStatus = 400, Error = "Column order_id: " + string.Concat(Enumerable.Repeat("a very long explanation ", 20)), IsDraft = true,
            ParametersJson = new JsonObject { ["order_id"] = 7, ["note"] = "kept" }.ToJsonString(),
        });
        await db.SaveChangesAsync();
        return (id, name);
    }

    [Fact]
    public async Task History_shows_parameters_as_names_and_values_links_the_action_and_marks_drafts()
    {
        var (id, name) = await ActionWithLoggedRunsAsync();
        await using var ctx = host.Context(host.AdminId);
        // The filters come from the address (the history page keeps them there).
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/executions?action={id}");
        var panel = ctx.Render<ExecutionHistoryPanel>(p => p.Add(x => x.FiltersInUrl, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("tbody tr").Count));
        var rows = panel.FindAll("tbody tr");

        // Newest first: the draft run with its values kept, then the API run whose values the log did not store.
        Assert.Equal(["order_id", "note"], rows[0].QuerySelectorAll("td[data-label='Parameters'] dt").Select(d => d.TextContent).ToArray());
        Assert.Equal(["7", "kept"], rows[0].QuerySelectorAll("td[data-label='Parameters'] dd").Select(d => d.TextContent).ToArray());
        Assert.Contains("draft", rows[0].QuerySelector("td[data-label='Outcome']")!.TextContent);
        Assert.NotNull(rows[0].QuerySelector(".history-error"));
        Assert.Equal(["order_id"], rows[1].QuerySelectorAll("td[data-label='Parameters'] dt").Select(d => d.TextContent).ToArray());
        Assert.Contains("values not stored", rows[1].QuerySelector("td[data-label='Parameters']")!.TextContent);
        Assert.DoesNotContain("redacted", panel.Markup);
        Assert.DoesNotContain("draft", rows[1].QuerySelector("td[data-label='Outcome']")!.TextContent);

        Assert.All(rows, r => Assert.Equal($"/actions/{id}", r.QuerySelector("td[data-label='Action'] a")!.GetAttribute("href")));
        Assert.All(rows, r => Assert.Equal(name, r.QuerySelector("td[data-label='Action']")!.TextContent.Trim()));
    }

    [Fact]
    public async Task History_page_charts_the_runs_of_the_filtered_period_and_keeps_the_filters_in_the_address()
    {
        var (id, _) = await ActionWithLoggedRunsAsync();
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/executions?action={id}&period=24h");
        var panel = ctx.Render<ExecutionHistoryPanel>(p => p.Add(x => x.FiltersInUrl, true).Add(x => x.ShowChart, true));
        panel.WaitForAssertion(() => Assert.Equal("1 succeeded and 1 failed in the last 24 hours.", panel.Find("[data-testid='runs-chart-summary']").TextContent.Trim()));
        Assert.NotEmpty(panel.FindAll("[data-testid='runs-chart'] svg"));

        Choose(panel, popovers, "Outcome", "Error");
        panel.WaitForAssertion(() => Assert.Equal("0 succeeded and 1 failed in the last 24 hours.", panel.Find("[data-testid='runs-chart-summary']").TextContent.Trim()));
        Assert.Contains($"action={id}", navigation.Uri);
        Assert.Contains("outcome=error", navigation.Uri);
        Assert.Contains("period=24h", navigation.Uri);

        Choose(panel, popovers, "Period", "All time");
        panel.WaitForAssertion(() => Assert.Contains("Choose a period of at most a month", panel.Find("[data-testid='runs-chart']").TextContent));
    }
}
