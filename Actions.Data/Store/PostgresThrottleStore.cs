using Npgsql;

namespace Actions.Data.Store;

/// <summary>
/// Throttle events on a PostgreSQL store. A change to a key is one round trip: a batch of statements, which PostgreSQL
/// runs as one transaction, whose first statement takes a transaction-level advisory lock on the key. Changes to one key
/// from any instance therefore run one at a time, and the next statement (read committed: a fresh snapshot) sees every
/// event committed before it. Only that key waits: the lock every app transaction takes (<see cref="SerializedWrites"/>)
/// would make every public request of every instance wait for every write, so these statements are not run as EF
/// transactions and never take it.
/// </summary>
internal sealed class PostgresThrottleStore(string connectionString) : ThrottleStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(WithoutWaitingForTheDisk(connectionString));

    /// <summary>
    /// The throttle's connections commit without waiting for the WAL to reach the disk (<c>synchronous_commit=off</c>):
    /// a key's lock is held until its transaction commits, so with a flush per commit the requests of one busy link or
    /// client would each wait for the disk in turn. A server crash may lose the events of its last fraction of a second,
    /// which costs a limit nothing.
    /// </summary>
    private static string WithoutWaitingForTheDisk(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c synchronous_commit=off".TrimStart();
        return builder.ConnectionString;
    }

    /// <summary>
    /// The key's lock: the two-number form of advisory locks, a key space apart from the one-number keys the app uses
    /// elsewhere; the first number says "throttle", the second is the key's hash (two keys that share it only wait for
    /// each other).
    /// </summary>
    private const string LockKey = "SELECT pg_advisory_xact_lock(1416131183, hashtext($1))";

    /// <summary>
    /// In one statement (the key's lock is already held): the blocking event if the window is full, the expired events
    /// dropped, and the new event recorded unless blocked. Data-modifying parts of a WITH run whether or not they are read.
    /// </summary>
    private const string Add = """
        WITH blocker AS (
            SELECT "At" FROM "ThrottleEvents" WHERE "Key" = $1 AND "At" > $2 ORDER BY "At" DESC OFFSET $3 LIMIT 1),
        expired AS (DELETE FROM "ThrottleEvents" WHERE "Key" = $1 AND "At" <= $2),
        added AS (INSERT INTO "ThrottleEvents" ("Key", "At") SELECT $1, $4 WHERE NOT EXISTS (SELECT 1 FROM blocker))
        SELECT "At" FROM blocker
        """;

    private const string RemoveNewest = """
        DELETE FROM "ThrottleEvents" WHERE "Id" =
            (SELECT "Id" FROM "ThrottleEvents" WHERE "Key" = $1 ORDER BY "At" DESC, "Id" DESC LIMIT 1)
        """;

    public override async Task<DateTime?> TryAddAsync(string key, int limit, DateTime since, DateTime now, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(LockKey) { Parameters = { new() { Value = key } } },
                new NpgsqlBatchCommand(Add)
                {
                    Parameters = { new() { Value = key }, new() { Value = since }, new() { Value = limit - 1 }, new() { Value = now } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetFieldValue<DateTime>(0) : null;
    }

    public override async Task RemoveNewestAsync(string key, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(LockKey) { Parameters = { new() { Value = key } } },
                new NpgsqlBatchCommand(RemoveNewest) { Parameters = { new() { Value = key } } },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    public override async Task RemoveAllAsync(string key, CancellationToken ct)
    {
        await using var command = _source.CreateCommand("""DELETE FROM "ThrottleEvents" WHERE "Key" = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(ct);
    }

    public override async Task<int> SweepAsync(DateTime before, CancellationToken ct)
    {
        await using var command = _source.CreateCommand("""DELETE FROM "ThrottleEvents" WHERE "At" < $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = before });
        return await command.ExecuteNonQueryAsync(ct);
    }

    public void Dispose() => _source.Dispose();

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
