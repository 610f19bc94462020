using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Execution.Log;
using Actions.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.Store;

/// <summary>
/// A SQLite store's execution log journal at a clean shutdown: every journaled entry is moved into the table and no
/// segment is left for the next start to replay.
/// </summary>
public sealed class LogJournalShutdownTests
{
    [Fact]
    public async Task A_clean_shutdown_moves_every_journaled_entry_into_the_table()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        var app = new AppFactory(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" }, dataDir);
        int id;
        try
        {
            var s = await ActionSetup.CreateAsync(app);
            id = await s.CreateAsync(s.FixtureAction());
            for (var i = 0; i < 5; i++)
                (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1, name = $"run-{i}" } })).Expect(HttpStatusCode.OK);
        }
        finally
        {
            app.Dispose();
        }

        var store = Path.Combine(dataDir, "actions.db");
        Assert.Empty(Directory.GetFiles(store + "-log", "*.segment"));
        await using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "ParametersJson" FROM "ExecutionLog" WHERE "ActionId" = $id ORDER BY "Id" """;
        command.Parameters.AddWithValue("$id", id);
        var names = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(JsonNode.Parse(reader.GetString(0))!["name"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"run-{i}"), names);
        await connection.CloseAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task Entries_a_stopped_process_left_in_the_journal_are_replayed_whole_and_in_order_at_the_next_start()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        using (var first = new AppFactory(new Dictionary<string, string?>(), dataDir))
            _ = first.Server; // a migrated store with nothing journaled
        var folder = Path.Combine(dataDir, "actions.db") + "-log";
        // 70 entries: two 32-row INSERTs and six single ones at the replay.
        var entries = Enumerable.Range(1, 70).Select(i => new ExecutionLogEntry
        {
            ActionId = 1000 + i % 3,
            ActionName = $"Ärger {i}",
            ActionType = i % 2 == 0 ? "query" : "http",
            Source = i % 3 == 0 ? "public" : "api",
            UserId = i % 3 == 0 ? null : i,
            ClientIp = i % 3 == 0 ? "203.0.113.7" : null,
            StartedAt = new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc).AddMilliseconds(i * 1234.5678),
            DurationMs = i,
            Status = i % 4 == 0 ? "error" : "success",
            HttpStatus = i % 4 == 0 ? 400 : 200,
            ResultJson = i % 4 == 0 ? null : $$"""{"rows-affected":{{i}}}""",
            Error = i % 4 == 0 ? $"Bad value \"{i}\"" : null,
            ParametersJson = i % 5 == 0 ? null : $$"""{"name":"run-{{i}}"}""",
            IsDraft = i % 7 == 0,
        }).ToList();
        var journal = LogJournal.Open(folder, records => records.Count == 0 ? 0 : throw new InvalidOperationException("unexpected records"));
        foreach (var e in entries) Assert.True(journal.Append(e).Copied);
        journal.Dispose(); // as a crash leaves it

        var app = new AppFactory(new Dictionary<string, string?>(), dataDir);
        try
        {
            _ = app.Server; // started: the journal is replayed before the app serves
            await using var store = app.OpenStore();
            await using var command = store.CreateCommand();
            command.CommandText = """
                SELECT "ActionId", "ActionName", "ActionType", "Source", "UserId", "ClientIp", "StartedAt", "DurationMs",
                       "Status", "HttpStatus", "ResultJson", "Error", "ParametersJson", "IsDraft"
                FROM "ExecutionLog" WHERE "ActionId" >= 1000 ORDER BY "Id"
                """;
            var rows = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(c => reader.IsDBNull(c) ? "null" : reader.GetValue(c).ToString())));
            Assert.Equal(entries.Select(e => string.Join("|", e.ActionId, e.ActionName, e.ActionType, e.Source, e.UserId?.ToString() ?? "null",
                e.ClientIp ?? "null", e.StartedAt.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF"), e.DurationMs, e.Status, e.HttpStatus,
                e.ResultJson ?? "null", e.Error ?? "null", e.ParametersJson ?? "null", e.IsDraft ? 1 : 0)), rows);
        }
        finally
        {
            app.Dispose();
        }
        Directory.Delete(dataDir, recursive: true);
    }
}
