using System.Net;
using System.Text.Json.Nodes;
using Actions.Web.Components.ActionPages;
using AngleSharp.Dom;
using Bunit;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the run page: confirmation, success message, prefetch of the row, errors in words, history by role.</summary>
[Collection("Components")]
public sealed class RunComponentTests(ComponentHost host)
{
    /// <summary>A copy of the example query action with the form settings given.</summary>
    private Task<int> QueryActionAsync(JsonObject settings)
    {
        settings["type"] = "form";
        return host.CopyOfExampleQueryAsync("Run form", settings);
    }

    private async Task<int> RunCountAsync(int id) =>
        (await host.Admin.Get($"/api/action/{id}/execution?limit=1000")).Expect(HttpStatusCode.OK).Json["total"]!.GetValue<int>();

    private static IElement RunButton(IRenderedComponent<RunAction> page, string label) =>
        page.FindAll("button").Single(b => b.GetAttribute("aria-label") == label);

    [Fact]
    public async Task Asks_before_running_when_the_action_says_so_and_fills_in_rows_affected()
    {
        var id = await QueryActionAsync(new JsonObject
        {
            ["confirmMessage"] = "Really ship this order?", ["successMessage"] = "Shipped: {{rows-affected}} order.", ["submitButtonLabel"] = "Ship",
        });
        await using var ctx = host.Context(host.AdminId);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<RunAction>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-field='order_id'] input")));
        page.Find("[data-field='order_id'] input").Input("4");

        // Cancel: nothing runs. (The click's handler waits for the dialog, so it is awaited after answering.)
        var asking = RunButton(page, "Ship").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Really ship this order?", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await asking;
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Really ship this order?", dialogs.Markup));
        Assert.Equal(0, await RunCountAsync(id));

        // Confirm: it runs once and says what it did.
        asking = RunButton(page, "Ship").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Really ship this order?", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Run").ClickAsync(new());
        await asking;
        page.WaitForAssertion(() => Assert.Contains("Shipped: 1 order.", page.Find("[role='status']").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal(1, await RunCountAsync(id));
        // The run shows in the last runs beneath the form.
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tbody tr")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Errors_are_said_in_words_beside_their_cause_and_nothing_is_reported_as_done()
    {
        // A value the field cannot hold is caught on the field, before anything runs.
        var id = await QueryActionAsync(new JsonObject());
        await using var ctx = host.Context(host.AdminId);
        var page = ctx.Render<RunAction>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-field='order_id'] input")));
        page.Find("[data-field='order_id'] input").Input("not a number");
        await RunButton(page, "Run").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("mud-input-error", page.Find("[data-field='order_id']").InnerHtml));
        Assert.Empty(page.FindAll("[role='status']"));
        Assert.Equal(0, await RunCountAsync(id));

        // What the database refuses is said as the server says it.
        var update = await host.ExampleActionIdAsync("implicit");
        var form = ctx.Render<RunAction>(p => p.Add(x => x.Id, update));
        form.WaitForAssertion(() => Assert.NotEmpty(form.FindAll("[data-field='id'] input")));
        form.Find("[data-field='id'] input").Input("99999");
        // Every other required input gets a value the field accepts.
        var parameters = (await host.Admin.Get($"/api/action/{update}")).Expect(HttpStatusCode.OK).Json["parameters"]!.AsArray();
        foreach (var parameter in parameters.Where(p => p!["required"]?.GetValue<bool>() == true && p["id"]!.GetValue<string>() != "id"))
        {
            var type = parameter!["type"]!.GetValue<string>();
            form.Find($"[data-field='{parameter["id"]}'] input")
                .Input(type.StartsWith("number", StringComparison.Ordinal) ? "3" : type.StartsWith("date", StringComparison.Ordinal) ? "2026-01-01" : "Ghost");
        }
        await RunButton(form, "Run").ClickAsync(new());
        form.WaitForAssertion(() => Assert.Contains("Sorry, the row you're trying to update doesn't exist", form.Find("[role='alert']").TextContent),
            TimeSpan.FromSeconds(10));
        Assert.Empty(form.FindAll("[role='status']"));
    }

    [Fact]
    public async Task An_update_form_loads_the_current_values_of_the_row()
    {
        var id = await host.ExampleActionIdAsync("implicit");
        await using var ctx = host.Context(host.AdminId);
        var page = ctx.Render<RunAction>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-field='id'] input")));
        Assert.Empty(page.Find("[data-field='title'] input").GetAttribute("value") ?? "");
        page.Find("[data-field='id'] input").Input("5");
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Load current values").ClickAsync(new());
        var expected = (await host.Admin.Get($"/api/action/{id}/execute?parameters=" + Uri.EscapeDataString("""{"id": 5}"""))).Expect(HttpStatusCode.OK).Json;
        page.WaitForAssertion(() => Assert.Equal(expected["title"]!.GetValue<string>(), page.Find("[data-field='title'] input").GetAttribute("value")),
            TimeSpan.FromSeconds(10));
        Assert.Contains("Current values loaded.", page.Find("[role='status']").TextContent);
    }

    [Fact]
    public async Task Someone_who_may_only_run_sees_the_form_but_not_the_runs()
    {
        var id = await QueryActionAsync(new JsonObject());
        (await host.Admin.Post($"/api/action/{id}/execute", new { parameters = new { order_id = 2 } })).Expect(HttpStatusCode.OK);
        await using var ctx = host.Context(host.MemberId);
        var page = ctx.Render<RunAction>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-field='order_id'] input")));
        page.WaitForAssertion(() => Assert.Contains("Runs are shown to people who may edit this action.", page.Markup));
        Assert.Empty(page.FindAll("tbody tr"));
    }
}
