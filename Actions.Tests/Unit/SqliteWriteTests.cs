using System.Data.Common;
using Actions.Data.Databases.Engines;
using Actions.Data.Databases.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.Unit;

/// <summary>
/// Query-action writes on SQLite run on statements kept prepared on the pooled handle; they must behave exactly as the
/// provider's command does: values, counts, errors, transactions and the session settings of every connection.
/// </summary>
public sealed class SqliteWriteTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"writes-{Guid.NewGuid():N}.db");
    private readonly SqliteEngine _engine = new();
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        await using (var setup = new SqliteConnection($"Data Source={_file}"))
        {
            await setup.OpenAsync();
            await using var command = setup.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, amount INTEGER, price REAL, data BLOB);
                """;
            await command.ExecuteNonQueryAsync();
        }
        _connectionString = _engine.ConnectionString(new System.Text.Json.Nodes.JsonObject { ["db"] = _file }, null);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_file + suffix);
        return Task.CompletedTask;
    }

    private async Task<int> WriteAsync(string sql, params object?[] values)
    {
        await using var connection = await _engine.OpenAsync(_connectionString, default);
        return await _engine.ExecuteWriteAsync(connection, sql, values, default);
    }

    private async Task<List<object?[]>> RowsAsync()
    {
        await using var connection = await _engine.OpenAsync(_connectionString, default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, amount, price, data FROM items ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row.Select(v => v is DBNull ? null : v).ToArray());
        }
        return rows;
    }

    [Fact]
    public async Task Values_of_every_bound_type_are_stored_and_changed_rows_counted()
    {
        const string insert = "INSERT INTO items (name, amount, price, data) VALUES (@p0, @p1, @p2, @p3)";
        Assert.Equal(1, await WriteAsync(insert, "ab'c; DROP TABLE items", 42L, 2.5, new byte[] { 1, 2 }));
        Assert.Equal(1, await WriteAsync(insert, "second", 7, null, DBNull.Value));
        // The same statement again, on the same pooled handle: rebound, not left with the last values.
        Assert.Equal(1, await WriteAsync(insert, "third", null, 1.0, null));
        var rows = await RowsAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["ab'c; DROP TABLE items", 42L, 2.5], rows[0][1..4]);
        Assert.Equal(new byte[] { 1, 2 }, rows[0][4]);
        Assert.Equal(["second", 7L, null, null], rows[1][1..]);
        Assert.Equal(["third", null, 1.0, null], rows[2][1..]);

        // A placeholder used twice, and a count of several rows.
        Assert.Equal(2, await WriteAsync("UPDATE items SET amount = @p0 WHERE amount IS NULL OR amount < @p0", 10L));
        Assert.Equal(0, await WriteAsync("UPDATE items SET amount = 1 WHERE id = @p0", 999L));
        Assert.True(await WriteAsync("SELECT @p0", 1L) < 0);
    }

    [Fact]
    public async Task A_refused_write_fails_as_the_provider_does_and_leaves_nothing_behind()
    {
        const string insert = "INSERT INTO items (name, amount) VALUES (@p0, @p1)";
        await WriteAsync(insert, "taken", 1L);
        var fast = await Assert.ThrowsAsync<SqliteException>(() => WriteAsync(insert, "taken", 2L));
        DbException provider;
        await using (var connection = await _engine.OpenAsync(_connectionString, default))
            provider = await Assert.ThrowsAsync<SqliteException>(() => EngineWrites.ExecuteAsync(connection, insert, ["taken", 2L], default));
        Assert.Equal(provider.Message, fast.Message);
        Assert.Equal(19, fast.SqliteErrorCode);
        Assert.Equal(_engine.TranslateConstraint(provider), _engine.TranslateConstraint(fast));
        var missing = await Assert.ThrowsAsync<SqliteException>(() => WriteAsync(insert, null, 3L));
        Assert.Contains("NOT NULL", missing.Message);
        var unknown = await Assert.ThrowsAsync<SqliteException>(() => WriteAsync("UPDATE nowhere SET a = @p0", 1L));
        Assert.Contains("no such table: nowhere", unknown.Message);

        // The failed runs rolled back: the handles take the next write, and only the good rows are there.
        Assert.Equal(1, await WriteAsync(insert, "after", 4L));
        Assert.Equal(["taken", "after"], (await RowsAsync()).Select(r => (string)r[1]!).ToArray());
        await using var check = await _engine.OpenAsync(_connectionString, default);
        Assert.True(((SqliteConnection)check).Handle is { } h && SQLitePCL.raw.sqlite3_get_autocommit(h) != 0);
    }

    [Fact]
    public async Task Every_connection_has_the_session_settings_also_when_its_handle_is_reused_or_new()
    {
        for (var round = 0; round < 3; round++)
        {
            if (round == 2) SqliteConnection.ClearAllPools();
            await using var connection = await _engine.OpenAsync(_connectionString, default);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, await command.ExecuteScalarAsync());
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal(SqliteEngine.BusyTimeoutSeconds * 1000L, await command.ExecuteScalarAsync());
            command.CommandText = "PRAGMA foreign_keys";
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Writers_of_this_process_take_turns_instead_of_waiting_in_the_busy_handler()
    {
        await using var first = await _engine.OpenAsync(_connectionString, default);
        var turn = await _engine.TakeWriteTurnAsync(first, default);
        var waiting = WriteAsync("INSERT INTO items (name) VALUES (@p0)", "queued");
        // Holding the turn, the other write cannot start: it waits for the turn, not in SQLite.
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        Assert.Empty(await RowsAsync());
        turn.Dispose();
        Assert.Equal(1, await waiting);
        // Many at once all land, each counted once.
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => WriteAsync("INSERT INTO items (name) VALUES (@p0)", $"n{i}"))));
        Assert.All(results, r => Assert.Equal(1, r));
        Assert.Equal(41, (await RowsAsync()).Count);
    }

    [Fact]
    public async Task Statements_the_prepared_path_cannot_take_still_run_through_the_provider()
    {
        // A value type it does not bind (decimal), and a statement with no placeholders.
        Assert.Equal(1, await WriteAsync("INSERT INTO items (name, price) VALUES (@p0, @p1)", "decimal", 1.25m));
        Assert.Equal(1, await WriteAsync("INSERT INTO items (name) VALUES ('literal')"));
        Assert.Equal(["decimal", "literal"], (await RowsAsync()).Select(r => (string)r[1]!).ToArray());
    }
}
