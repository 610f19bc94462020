using Npgsql;

namespace Actions.Data.Store;

/// <summary>
/// Session advisory locks on a PostgreSQL store, for work that one instance at a time must do: start-up (migrations,
/// bootstrap admin, sample data) and the background jobs. A lock is held on a connection of its own, not pooled, so
/// closing it ends the session and releases the lock — also when the process dies mid-way, since PostgreSQL ends the
/// session of a connection that goes away. A SQLite store serves one process: there is nothing to take.
/// </summary>
public sealed class StoreLocks(string? postgresConnectionString)
{
    /// <summary>Start-up: waited for, so that instances started together take turns.</summary>
    public const long StartUp = 6599116105111110116;

    /// <summary>Execution-log retention (distinct from every other key, and from the one every app transaction takes).</summary>
    public const long ExecutionLogRetention = 6599116105111110117;

    /// <summary>Sweeping the throttle events of keys no longer in use.</summary>
    public const long ThrottleSweep = 6599116105111110118;

    /// <summary>Waits for the lock and holds it until the result is disposed.</summary>
    public async Task<IAsyncDisposable> WaitAsync(long key, CancellationToken ct) =>
        await TakeAsync("SELECT pg_advisory_lock(@key)", key, ct) ?? throw new InvalidOperationException("pg_advisory_lock returned without the lock.");

    /// <summary>Takes the lock if no other session holds it and holds it until the result is disposed; null when another holds it.</summary>
    public Task<IAsyncDisposable?> TryTakeAsync(long key, CancellationToken ct) =>
        TakeAsync("SELECT pg_try_advisory_lock(@key)", key, ct);

    private async Task<IAsyncDisposable?> TakeAsync(string sql, long key, CancellationToken ct)
    {
        if (postgresConnectionString is null) return Held.Nothing;
        var builder = new NpgsqlConnectionStringBuilder(postgresConnectionString) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new NpgsqlCommand(sql, connection);
            take.Parameters.AddWithValue("key", key);
            // pg_advisory_lock returns void (read as DBNull); pg_try_advisory_lock says whether it took the lock.
            if (await take.ExecuteScalarAsync(ct) is false)
            {
                await connection.DisposeAsync();
                return null;
            }
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection? connection) : IAsyncDisposable
    {
        public static readonly Held Nothing = new(null);

        public ValueTask DisposeAsync() => connection?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
