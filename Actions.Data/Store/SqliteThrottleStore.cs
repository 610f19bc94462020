using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Actions.Data.Store;

/// <summary>
/// Throttle events on a SQLite store: each change is one <c>BEGIN IMMEDIATE</c> transaction (SQLite's write lock, so
/// changes run one at a time even from another process) on a connection of its own, used by one change at a time. That
/// connection commits with <c>synchronous=NORMAL</c> (WAL): an event survives the process, and only a power cut may lose
/// the last ones, which costs a limit nothing that a restart would not; every other connection keeps the store's
/// durability (it is not pooled, so the setting never reaches them).
/// </summary>
internal sealed class SqliteThrottleStore(string connectionString) : ThrottleStore, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;

    public override Task<DateTime?> TryAddAsync(string key, int limit, DateTime since, DateTime now, CancellationToken ct) =>
        InTransactionAsync(connection =>
        {
            Execute(connection, """DELETE FROM "ThrottleEvents" WHERE "Key" = $key AND "At" <= $since""", ("$key", key), ("$since", since));
            using var blocker = Command(connection,
                """SELECT "At" FROM "ThrottleEvents" WHERE "Key" = $key ORDER BY "At" DESC LIMIT 1 OFFSET $skip""", ("$key", key), ("$skip", limit - 1));
            if (blocker.ExecuteScalar() is string at)
                return DateTime.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            Execute(connection, """INSERT INTO "ThrottleEvents" ("Key", "At") VALUES ($key, $now)""", ("$key", key), ("$now", now));
            return (DateTime?)null;
        }, ct);

    public override Task RemoveNewestAsync(string key, CancellationToken ct) =>
        InTransactionAsync(connection => Execute(connection, """
            DELETE FROM "ThrottleEvents" WHERE "Id" =
                (SELECT "Id" FROM "ThrottleEvents" WHERE "Key" = $key ORDER BY "At" DESC, "Id" DESC LIMIT 1)
            """, ("$key", key)), ct);

    public override Task RemoveAllAsync(string key, CancellationToken ct) =>
        InTransactionAsync(connection => Execute(connection, """DELETE FROM "ThrottleEvents" WHERE "Key" = $key""", ("$key", key)), ct);

    public override Task<int> SweepAsync(DateTime before, CancellationToken ct) =>
        InTransactionAsync(connection => Execute(connection, """DELETE FROM "ThrottleEvents" WHERE "At" < $before""", ("$before", before)), ct);

    private async Task<T> InTransactionAsync<T>(Func<SqliteConnection, T> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var connection = Open();
            using var transaction = _transaction = connection.BeginTransaction(deferred: false);
            var result = change(connection);
            transaction.Commit();
            return result;
        }
        finally
        {
            _transaction = null;
            _gate.Release();
        }
    }

    private SqliteConnection Open()
    {
        if (_connection is not null) return _connection;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL");
        return _connection = connection;
    }

    private int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }
}
