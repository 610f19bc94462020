using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>The execution log is durable before the answer: an answered run's entry is already committed.</summary>
public sealed class DurableLogTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" });

    public void Dispose() => _app.Dispose();

    /// <summary>Counts the entries straight from the store, past every endpoint (which could wait for the writer).</summary>
    private long StoredEntries(int actionId, string? marker = null)
    {
        using var store = _app.OpenStore();
        using var command = store.CreateCommand();
        command.CommandText = $"""SELECT COUNT(*) FROM "ExecutionLog" WHERE "ActionId" = {actionId}""";
        if (marker is not null)
        {
            command.CommandText += """ AND "ParametersJson" LIKE @marker""";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@marker";
            parameter.Value = $"%\"{marker}\"%";
            command.Parameters.Add(parameter);
        }
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [Fact]
    public async Task Every_answered_run_has_its_entry_committed_before_the_answer()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        // One at a time: each answer finds its own entry stored.
        for (var i = 1; i <= 5; i++)
        {
            (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
            Assert.Equal(i, StoredEntries(id));
        }
        // Refused runs too.
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { nope = 1 } })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(6, StoredEntries(id));
        // Concurrent runs share commits, and none is answered before its entry is stored.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var marker = $"run-{i}";
            var answer = await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 2, name = marker } });
            return (answer.Status, Stored: StoredEntries(id, marker));
        })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.Equal(1, a.Stored));
        Assert.Equal(46, StoredEntries(id));
    }
}
