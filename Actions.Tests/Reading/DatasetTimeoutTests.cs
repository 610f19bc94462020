using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Reading;

/// <summary>The statement timeout (<c>Actions:Queries:TimeoutSeconds</c>) cancels a read on the database and answers the failed form.</summary>
public sealed class DatasetTimeoutTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:Queries:TimeoutSeconds"] = "1" });

    public void Dispose() => _app.Dispose();

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task A_read_past_the_timeout_is_cancelled_on_the_database(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine);
        // Endless on SQLite (only an interrupt stops it); a minute's sleep elsewhere.
        var slow = engine switch
        {
            "sqlite" => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
            "postgres" => "SELECT pg_sleep(60)",
            _ => "SELECT SLEEP(60)",
        };
        var answer = (await admin.Post("/api/dataset", t.Native(slow).ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal("failed", answer["status"]!.GetValue<string>());
        Assert.Equal("The query was cancelled: it ran longer than the statement timeout of 1 seconds.", answer["error"]!.GetValue<string>());
        // Nothing of it still runs on the server.
        if (engine == "postgres")
            Assert.Equal("0", await t.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(60)'"));
        if (engine == "mysql")
            Assert.Equal("0", await t.ScalarAsync("SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'"));
        // The database answers the next read.
        var next = (await admin.Post("/api/dataset", t.Native("SELECT count(*) AS n FROM items").ToJsonString())).Expect(HttpStatusCode.Accepted).Json;
        Assert.Equal(5, next["data"]!["rows"]![0]![0]!.GetValue<int>());
    }
}
