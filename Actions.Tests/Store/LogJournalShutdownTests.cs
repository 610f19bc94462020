using System.Net;
using System.Text.Json.Nodes;
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
}
