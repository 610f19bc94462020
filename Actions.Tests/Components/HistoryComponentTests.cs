using System.Net;
using System.Text.Json.Nodes;
using Actions.Web.Components.Shared;
using Bunit;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the execution history panel (the history page, the editor's Runs tab, the run page's last runs).</summary>
[Collection("Components")]
public sealed class HistoryComponentTests(ComponentHost host)
{
    /// <summary>A fresh copy of the example query action with four runs: two successes and one failure over the API, one public run.</summary>
    private async Task<int> ActionWithRunsAsync()
    {
        await host.SetPublicSharingAsync(true);
        var id = await host.CopyOfExampleQueryAsync("History");
        foreach (var orderId in new[] { 1, 2 })
            (await host.Admin.Post($"/api/action/{id}/execute", new { parameters = new { order_id = orderId } })).Expect(HttpStatusCode.OK);
        (await host.Admin.Post($"/api/action/{id}/execute", new { parameters = new { } })).Expect(HttpStatusCode.BadRequest);
        var uuid = (await host.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        using var anonymous = host.App.CreateClient();
        var response = await anonymous.PostAsync($"/api/public/action/{uuid}/execute",
            new StringContent("""{"parameters":{"order_id":3}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return id;
    }

    private static string[] Column(IRenderedComponent<ExecutionHistoryPanel> panel, string label) =>
        panel.FindAll($"td[data-label='{label}']").Select(td => td.TextContent.Trim()).ToArray();

    [Fact]
    public async Task Runs_of_one_action_narrow_by_outcome_and_source()
    {
        var id = await ActionWithRunsAsync();
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var panel = ctx.Render<ExecutionHistoryPanel>(p => p.Add(x => x.ActionId, id));
        panel.WaitForAssertion(() => Assert.Equal(4, panel.FindAll("tbody tr").Count));
        // Newest first; the admin's own runs say "you", the public one "anonymous"; no action column for one action.
        Assert.Equal(["anonymous", "you", "you", "you"], Column(panel, "Who"));
        Assert.Empty(panel.FindAll("td[data-label='Action']"));
        Assert.StartsWith("public (", Column(panel, "Source")[0]);

        await PickAsync(panel, popovers, "Outcome", "Error");
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tbody tr")));
        Assert.Equal(["you"], Column(panel, "Who"));
        Assert.Contains("400", Column(panel, "Outcome")[0]);

        await PickAsync(panel, popovers, "Source", "Public link");
        panel.WaitForAssertion(() => Assert.Contains("No runs match these filters", panel.Markup));
    }

    [Fact]
    public async Task Pages_through_the_runs()
    {
        var id = await ActionWithRunsAsync();
        await using var ctx = host.Context(host.AdminId);
        var panel = ctx.Render<ExecutionHistoryPanel>(p => p.Add(x => x.ActionId, id).Add(x => x.PageSize, 3));
        panel.WaitForAssertion(() => Assert.Equal(3, panel.FindAll("tbody tr").Count));
        Assert.Contains("1-3 of 4", panel.Find(".mud-table-pagination").TextContent);
        panel.Find("button[aria-label='Next page']").Click();
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tbody tr")));
        Assert.Equal(["you"], Column(panel, "Who"));
    }

    [Fact]
    public async Task Someone_who_may_only_run_the_action_is_told_instead_of_shown_runs()
    {
        var id = await ActionWithRunsAsync();
        await using var ctx = host.Context(host.MemberId);
        var panel = ctx.Render<ExecutionHistoryPanel>(p => p.Add(x => x.ActionId, id).Add(x => x.ForbiddenText, "Not for you."));
        panel.WaitForAssertion(() => Assert.Contains("Not for you.", panel.Markup));
        Assert.Empty(panel.FindAll("table"));
    }

    [Fact]
    public async Task Every_action_view_names_the_action_and_filters_by_it()
    {
        var id = await ActionWithRunsAsync();
        var name = (await host.Admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK).Json["name"]!.GetValue<string>();
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var panel = ctx.Render<ExecutionHistoryPanel>();
        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("tbody tr")));
        await PickAsync(panel, popovers, "Action", name);
        panel.WaitForAssertion(() => Assert.Equal(4, panel.FindAll("tbody tr").Count));
        Assert.All(Column(panel, "Action"), a => Assert.Equal(name, a));
    }

    private static async Task PickAsync(IRenderedComponent<ExecutionHistoryPanel> panel, IRenderedComponent<MudBlazor.MudPopoverProvider> popovers,
        string label, string option)
    {
        var select = panel.FindAll(".mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == label);
        await select.MouseDownAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == option));
        await popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == option).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
    }
}
