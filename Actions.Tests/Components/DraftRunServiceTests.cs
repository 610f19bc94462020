using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Execution;
using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Components;

/// <summary>
/// The editor's test run of a draft (ActionExecutionService.ExecuteDraftAsync): it runs what the editor holds, saved or
/// not, is logged as a browser run marked as a draft, needs write permission, and never changes what the saved action runs.
/// </summary>
[Collection("Components")]
public sealed class DraftRunServiceTests(ComponentHost host)
{
    private static readonly Caller Superuser = new(0, true, new HashSet<int> { 2 });

    private ActionExecutionService Execution => host.App.Services.GetRequiredService<ActionExecutionService>();

    private async Task<int> OrdersModelAsync()
    {
        var example = (await host.Admin.Get($"/api/action/{await host.ExampleActionIdAsync("query")}")).Expect(HttpStatusCode.OK).Json;
        return example["model_id"]!.GetValue<int>();
    }

    private static ActionDraft QueryDraft(string name, int modelId, string sql, params string[] tags) => new()
    {
        Name = name, ModelId = modelId, Type = ActionDefinition.QueryType, Sql = sql,
        Fields = tags.Select(t => new DraftField(t, t, "string", "text")).ToList(),
    };

    /// <summary>Parameters as a request's JSON carries them.</summary>
    private static JsonObject OrderId(int id) => JsonNode.Parse($"{{\"order_id\": {id}}}")!.AsObject();

    private async Task<List<JsonNode>> LogAsync(Func<JsonNode, bool> which)
    {
        var history = host.App.Services.GetRequiredService<ExecutionHistoryService>();
        var all = await history.AllAsync(Superuser, new ExecutionHistoryService.Filter(null, null, null, 1000, 0), default);
        return all["data"]!.AsArray().Select(e => e!).Where(which).ToList();
    }

    [Fact]
    public async Task An_unsaved_draft_runs_and_is_logged_as_a_draft_browser_run_under_action_id_0()
    {
        var name = $"Never saved {Guid.NewGuid():N}";
        var draft = QueryDraft(name, await OrdersModelAsync(), "UPDATE orders SET status = {{status}} WHERE id = {{order_id}}", "status", "order_id");
        var result = await Execution.ExecuteDraftAsync(Superuser, null, draft, new JsonObject { ["status"] = "placed", ["order_id"] = 3 }, default);
        Assert.Equal(1, result.Body!["rows-affected"]!.GetValue<int>());

        var entry = Assert.Single(await LogAsync(e => e["action_name"]!.GetValue<string>() == name));
        Assert.Equal(0, entry["action_id"]!.GetValue<int>());
        Assert.Equal("ui", entry["source"]!.GetValue<string>());
        Assert.True(entry["draft"]!.GetValue<bool>());
        Assert.Equal("query", entry["action_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_saved_actions_draft_runs_the_draft_and_the_saved_version_still_runs_its_own_sql()
    {
        var id = await host.CopyOfExampleQueryAsync("Draft of saved");
        var draft = QueryDraft("Draft of saved", await OrdersModelAsync(), "UPDATE orders SET status = status WHERE id = {{order_id}} AND 1 = 0", "order_id");
        var drafted = await Execution.ExecuteDraftAsync(Superuser, id, draft, OrderId(2), default);
        Assert.Equal(0, drafted.Body!["rows-affected"]!.GetValue<int>());

        var saved = await Execution.ExecuteAsync(Superuser, id, OrderId(2), ExecutionSources.Api, default);
        Assert.Equal(1, saved.Body!["rows-affected"]!.GetValue<int>());
        // The draft ran again with other SQL after the saved one: it is not the saved version's cached plan either.
        var again = await Execution.ExecuteDraftAsync(Superuser, id, draft, OrderId(2), default);
        Assert.Equal(0, again.Body!["rows-affected"]!.GetValue<int>());

        var entries = await LogAsync(e => e["action_id"]!.GetValue<int>() == id);
        Assert.Equal([true, false, true], entries.Select(e => e["draft"]!.GetValue<bool>()).Reverse());
    }

    [Fact]
    public async Task A_draft_without_a_name_is_logged_as_an_unsaved_action_and_one_without_a_model_does_not_run()
    {
        var model = await OrdersModelAsync();
        var before = (await LogAsync(e => e["action_name"]!.GetValue<string>() == ActionExecutionService.UnsavedName)).Count;
        await Execution.ExecuteDraftAsync(Superuser, null, QueryDraft("", model, "UPDATE orders SET status = status WHERE id = 1"), [], default);
        Assert.Equal(before + 1, (await LogAsync(e => e["action_name"]!.GetValue<string>() == ActionExecutionService.UnsavedName)).Count);

        var error = await Assert.ThrowsAsync<ValidationError>(() =>
            Execution.ExecuteDraftAsync(Superuser, null, QueryDraft("No model", 0, "UPDATE orders SET status = status") with { ModelId = null }, [], default));
        Assert.Contains("model_id", error.Errors.ToJson()["errors"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Someone_who_may_only_read_the_model_cannot_test_run_a_draft_on_it()
    {
        var member = new Caller(host.MemberId, false, new HashSet<int> { 1 });
        var draft = QueryDraft("Member's draft", await OrdersModelAsync(), "UPDATE orders SET status = status WHERE id = 1");
        var error = await Assert.ThrowsAnyAsync<ApiError>(() => Execution.ExecuteDraftAsync(member, null, draft, [], default));
        Assert.Equal(403, error.Status);
    }
}
