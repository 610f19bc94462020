using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Execution.Log;
using Actions.Tests.Hostile;
using Actions.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.ActionApi;

/// <summary>
/// The execution log is durable before the answer (execution.md § The execution log, deployment.md point 3): an
/// answered run's entry is already committed, concurrent runs too, and killing the process loses none of them.
/// </summary>
public sealed class DurableLogTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" });

    public void Dispose() => _app.Dispose();

    /// <summary>
    /// The runs of the action whose entry would survive the process dying now, by the <c>name</c> each run sent: on
    /// PostgreSQL the rows committed to the store; on SQLite also the records in the store's journal, read as a start
    /// after a crash reads them (journal first: a record moved meanwhile is in the table by the time the table is read).
    /// </summary>
    private static HashSet<string> DurableRuns(DbConnection store, int actionId)
    {
        var names = new HashSet<string>();
        if (store is SqliteConnection sqlite)
            foreach (var (_, entry) in LogJournal.Read(Path.GetFullPath(sqlite.DataSource) + "-log"))
                if (entry.ActionId == actionId) names.Add(NameOf(entry.ParametersJson));
        using var command = store.CreateCommand();
        command.CommandText = """SELECT "ParametersJson" FROM "ExecutionLog" WHERE "ActionId" = @id""";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = actionId;
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        while (reader.Read()) names.Add(NameOf(reader.GetString(0)));
        return names;
    }

    private static string NameOf(string? parametersJson) => JsonNode.Parse(parametersJson!)!["name"]!.GetValue<string>();

    [Fact]
    public async Task Every_answered_run_has_its_entry_durable_before_the_answer_and_listed_at_once()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        using var store = _app.OpenStore();
        // One at a time: each answer finds its own entry durable.
        for (var i = 1; i <= 5; i++)
        {
            (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1, name = $"one-{i}" } })).Expect(HttpStatusCode.OK);
            Assert.Contains($"one-{i}", DurableRuns(store, id));
        }
        // Refused runs too.
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { nope = 1, name = "refused" } })).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("refused", DurableRuns(store, id));
        // Concurrent runs: none is answered before its entry is durable.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var marker = $"run-{i}";
            var answer = await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 2, name = marker } });
            using var own = _app.OpenStore();
            return (answer.Status, Durable: DurableRuns(own, id).Contains(marker));
        })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.True(a.Durable));
        // The log endpoints list every answered run as soon as it is answered.
        var listed = (await s.Admin.Get($"/api/action/{id}/execution?limit=100")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(46, listed["total"]!.GetValue<int>());
        Assert.Equal(46, DurableRuns(store, id).Count);
    }

    /// <summary>Starts the app in its own process with a first superuser and a world holding the fixture query action.</summary>
    private static async Task<(HostileWorld World, ApiClient Admin)> StartWithQueryActionAsync(HostileServer server)
    {
        await server.StartAsync();
        var anonymous = new ApiClient(server.Http);
        await HostileWorld.SetUpAppAsync(anonymous);
        var world = await HostileWorld.CreateAsync(anonymous, "http://127.0.0.1:9", "durable");
        return (world, anonymous.WithSession(world.AdminSession));
    }

    /// <summary>
    /// deployment.md point 3, on SQLite: the app in its own process under load from 8 clients is killed with SIGKILL;
    /// every run answered before that has its entry in the store file.
    /// </summary>
    [Fact]
    public async Task Killing_the_process_under_load_loses_no_entry_of_an_answered_run()
    {
        await using var server = new HostileServer(new Dictionary<string, string> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" });
        var (world, admin) = await StartWithQueryActionAsync(server);

        var answered = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var marker = $"c{c}-{i}";
                try
                {
                    var answer = await admin.Post($"/api/action/{world.QueryActionId}/execute", new { parameters = new { id = 1, name = marker } });
                    if (answer.Status == HttpStatusCode.OK) answered.Add(marker);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    return; // the process is gone: this run was not answered
                }
            }
        })).ToList();
        // Kill once a good number of runs were answered (counted, not timed), while the clients keep sending.
        while (answered.Count < 400) await Task.Delay(10);
        await server.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        // Started again on the same data folder: what the killed process had not moved into the table is replayed.
        await server.StartAsync();

        await using var store = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "actions.db")};Pooling=False");
        await store.OpenAsync();
        var stored = new HashSet<string>();
        await using (var command = store.CreateCommand())
        {
            command.CommandText = """SELECT "ParametersJson" FROM "ExecutionLog" WHERE "ActionId" = @id""";
            command.Parameters.AddWithValue("@id", world.QueryActionId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                stored.Add(NameOf(reader.GetString(0)));
        }
        var missing = answered.Where(m => !stored.Contains(m)).ToList();
        Assert.True(answered.Count >= 400);
        Assert.True(missing.Count == 0, $"{missing.Count} of {answered.Count} answered runs have no log entry, e.g. {string.Join(", ", missing.Take(5))}");
    }

    /// <summary>
    /// The log's commits leave the store's WAL bounded under continuous load (checkpoints moved off the commit path
    /// never caught up with a writer that keeps committing: the WAL grew by ~100 MB/s and was never reset).
    /// </summary>
    [Fact]
    public async Task The_stores_WAL_stays_bounded_while_runs_keep_committing()
    {
        await using var server = new HostileServer(new Dictionary<string, string>());
        var (world, admin) = await StartWithQueryActionAsync(server);
        var left = 4000;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
                (await admin.Post($"/api/action/{world.QueryActionId}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        })));
        // SQLite checkpoints every 1,000 pages (~4 MB); 4,000 log commits of 3 pages each would be ~48 MB unchecked.
        var wal = new FileInfo(Path.Combine(server.DataDir, "actions.db-wal"));
        Assert.True(wal.Exists);
        Assert.True(wal.Length < 16 * 1024 * 1024, $"the store's WAL is {wal.Length / 1024 / 1024} MB after 4,000 runs");
    }
}
