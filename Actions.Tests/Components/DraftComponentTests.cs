using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Web.Components.Shared;
using Actions.Web.Hosting;
using Bunit;

namespace Actions.Tests.Components;

/// <summary>
/// bUnit tests of the draft kept in the browser (DraftKeeper through the run form): what is written to drafts.js and
/// when — marked as sending before the run goes, forgotten once it was done, kept after a refused run, restored but
/// never sent by itself, and never holding a value the page marks as secret.
/// </summary>
[Collection("Components")]
public sealed class DraftComponentTests(ComponentHost host)
{
    private const string Key = "run:u1:action:7";

    private static List<FormField> Fields() =>
    [
        new() { Id = "order_id", Label = "Order ID", InputType = "number", Required = true },
        new() { Id = "note", Label = "Note", InputType = "string" },
    ];

    private static JsonObject Saved(JSRuntimeInvocation invocation) => JsonNode.Parse((string)invocation.Arguments[1]!)!.AsObject();

    private static IReadOnlyList<JSRuntimeInvocation> Calls(BunitJSModuleInterop module, string function) =>
        module.Invocations.Where(i => i.Identifier == function).ToList();

    private static Task ClickRunAsync(IRenderedComponent<RunPanel> panel) =>
        panel.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Run").ClickAsync(new());

    [Fact]
    public async Task A_run_is_marked_as_sending_before_it_goes_and_forgotten_once_done()
    {
        await using var ctx = host.Context(host.AdminId);
        var module = ctx.JSInterop.SetupModule("./drafts.js");
        JsonObject? draftWhenRunning = null;
        var runs = 0;
        var panel = ctx.Render<RunPanel>(p => p
            .Add(x => x.Fields, Fields())
            .Add(x => x.DraftKey, Key)
            .Add(x => x.Run, values =>
            {
                runs++;
                draftWhenRunning = Saved(Calls(module, "save")[^1]);
                return Task.FromResult<JsonNode?>(new JsonObject { ["rows-affected"] = 1 });
            }));
        panel.WaitForAssertion(() => Assert.Single(Calls(module, "load")));

        panel.Find("[data-field='order_id'] input").Input("2");
        panel.WaitForAssertion(() => Assert.NotEmpty(Calls(module, "save")));
        var kept = Saved(Calls(module, "save")[^1]);
        Assert.Equal(Key, Calls(module, "save")[^1].Arguments[0]);
        Assert.False(kept["sending"]!.GetValue<bool>());
        Assert.Equal("2", kept["values"]!["order_id"]!.GetValue<string>());

        await ClickRunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("Done.", panel.Find("[role='status']").TextContent));
        Assert.Equal(1, runs);
        Assert.True(draftWhenRunning!["sending"]!.GetValue<bool>());
        Assert.Equal("2", draftWhenRunning["values"]!["order_id"]!.GetValue<string>());
        // Done: forgotten after the answer, and nothing written after that.
        var remove = Assert.Single(Calls(module, "remove"));
        Assert.Equal(Key, remove.Arguments[0]);
        Assert.Equal(module.Invocations.Count - 1, module.Invocations.ToList().IndexOf(remove));
    }

    [Fact]
    public async Task A_refused_run_keeps_the_input_as_unsaved_work()
    {
        await using var ctx = host.Context(host.AdminId);
        var module = ctx.JSInterop.SetupModule("./drafts.js");
        var panel = ctx.Render<RunPanel>(p => p
            .Add(x => x.Fields, Fields())
            .Add(x => x.DraftKey, Key)
            .Add(x => x.Run, _ => throw new PlainError(400, "The database refused it.")));
        panel.WaitForAssertion(() => Assert.Single(Calls(module, "load")));
        panel.Find("[data-field='order_id'] input").Input("5");
        await ClickRunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("The database refused it.", panel.Find("[role='alert']").TextContent));

        Assert.Empty(Calls(module, "remove"));
        var last = Saved(Calls(module, "save")[^1]);
        Assert.False(last["sending"]!.GetValue<bool>());
        Assert.Equal("5", last["values"]!["order_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_draft_interrupted_while_sending_is_restored_with_a_warning_and_not_sent()
    {
        await using var ctx = host.Context(host.AdminId);
        var module = ctx.JSInterop.SetupModule("./drafts.js");
        module.Setup<string?>("load", i => (string?)i.Arguments[0] == Key)
            .SetResult("""{"sending":true,"values":{"order_id":"9","note":"left before the answer"}}""");
        var runs = 0;
        var panel = ctx.Render<RunPanel>(p => p
            .Add(x => x.Fields, Fields())
            .Add(x => x.DraftKey, Key)
            .Add(x => x.Run, _ => { runs++; return Task.FromResult<JsonNode?>(null); }));

        panel.WaitForAssertion(() => Assert.Contains("Unsaved input restored.", panel.Find("[data-testid='draft-restored']").TextContent));
        Assert.Contains("it may or may not have run", panel.Find("[data-testid='draft-restored']").TextContent);
        Assert.Equal("9", panel.Find("[data-field='order_id'] input").GetAttribute("value"));
        Assert.Equal("left before the answer", panel.Find("[data-field='note'] input").GetAttribute("value"));
        Assert.Equal(0, runs);
        // Still marked as interrupted until the person changes something: nothing was written over it.
        Assert.Empty(Calls(module, "save"));

        // Discard: the form is empty again and the browser forgets it.
        await panel.FindAll("button").Single(b => b.TextContent.Trim() == "Discard").ClickAsync(new());
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-testid='draft-restored']")));
        Assert.Equal("", panel.Find("[data-field='order_id'] input").GetAttribute("value") ?? "");
        Assert.Equal(Key, Assert.Single(Calls(module, "remove")).Arguments[0]);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Values_the_page_marks_as_secret_never_reach_the_browser()
    {
        await using var ctx = host.Context(host.AdminId);
        var module = ctx.JSInterop.SetupModule("./drafts.js");
        var keeper = ctx.Render<DraftKeeper>(p => p.Add(x => x.Key, "databases:u1:new").Add(x => x.Secrets, ["password"]));
        keeper.WaitForAssertion(() => Assert.Single(Calls(module, "load")));

        await keeper.InvokeAsync(() => keeper.Instance.KeepAsync(new JsonObject { ["user"] = "reader", ["password"] = "Never-kept-1" }));
        await keeper.InvokeAsync(() => keeper.Instance.SendingAsync(new JsonObject { ["user"] = "reader", ["password"] = "Never-kept-2" }));

        var saves = Calls(module, "save");
        Assert.Equal(2, saves.Count);
        foreach (var save in saves)
        {
            Assert.DoesNotContain("Never-kept", (string)save.Arguments[1]!);
            Assert.Equal("reader", Saved(save)["values"]!["user"]!.GetValue<string>());
        }
    }
}
