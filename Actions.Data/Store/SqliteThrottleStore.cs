using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Actions.Data.Store;

/// <summary>
/// Throttle events on a SQLite store, on a connection of its own. Changes are made in order, several to a transaction
/// (group commit): the first caller to find no transaction under way makes one <c>BEGIN IMMEDIATE</c> transaction of
/// every change waiting, then of those that came meanwhile. Every store write takes SQLite's one write lock, and a
/// transaction per public request would hand it back and forth with the execution log writer, each side waiting in
/// SQLite's busy handler. The connection commits with <c>synchronous=NORMAL</c> (WAL): an event survives the process;
/// a power cut may lose the last ones, which costs a limit nothing that a restart would not.
/// </summary>
internal sealed class SqliteThrottleStore(string connectionString) : ThrottleStore, IDisposable
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);
    private readonly object _gate = new();
    private List<Change> _waiting = [];
    private bool _writing;
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;

    public override Task<DateTime?> TryAddAsync(string key, int limit, DateTime since, DateTime now, CancellationToken ct) =>
        MakeAsync(() =>
        {
            Execute("""DELETE FROM "ThrottleEvents" WHERE "Key" = $key AND "At" <= $since""", ("$key", key), ("$since", since));
            using var blocker = Command("""SELECT "At" FROM "ThrottleEvents" WHERE "Key" = $key ORDER BY "At" DESC LIMIT 1 OFFSET $skip""",
                ("$key", key), ("$skip", limit - 1));
            if (blocker.ExecuteScalar() is string at)
                return DateTime.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            Execute("""INSERT INTO "ThrottleEvents" ("Key", "At") VALUES ($key, $now)""", ("$key", key), ("$now", now));
            return (DateTime?)null;
        });

    public override Task RemoveNewestAsync(string key, CancellationToken ct) =>
        MakeAsync(() => Execute("""
            DELETE FROM "ThrottleEvents" WHERE "Id" =
                (SELECT "Id" FROM "ThrottleEvents" WHERE "Key" = $key ORDER BY "At" DESC, "Id" DESC LIMIT 1)
            """, ("$key", key)));

    public override Task RemoveAllAsync(string key, CancellationToken ct) =>
        MakeAsync(() => Execute("""DELETE FROM "ThrottleEvents" WHERE "Key" = $key""", ("$key", key)));

    public override Task<int> SweepAsync(DateTime before, CancellationToken ct) =>
        MakeAsync(() => Execute("""DELETE FROM "ThrottleEvents" WHERE "At" < $before""", ("$before", before)));

    /// <summary>One change, made in the next transaction; its result once that transaction is committed.</summary>
    private abstract class Change
    {
        public abstract void Make();
        public abstract void Committed();
        public abstract void Failed(Exception e);
    }

    private sealed class Change<T>(Func<T> make) : Change
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Done => _done.Task;
        public override void Make() => _result = make();
        public override void Committed() => _done.SetResult(_result);
        public override void Failed(Exception e) => _done.SetException(e);
    }

    private Task<T> MakeAsync<T>(Func<T> make)
    {
        var change = new Change<T>(make);
        bool write;
        lock (_gate)
        {
            _waiting.Add(change);
            write = !_writing;
            _writing = true;
        }
        if (write) WriteWaiting();
        return change.Done;
    }

    /// <summary>Commits the waiting changes, a transaction at a time, until none are left.</summary>
    private void WriteWaiting()
    {
        while (true)
        {
            List<Change> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }
                (batch, _waiting) = (_waiting, []);
            }
            try
            {
                var connection = Open();
                using (var transaction = _transaction = connection.BeginTransaction(deferred: false))
                {
                    foreach (var change in batch) change.Make();
                    transaction.Commit();
                }
                foreach (var change in batch) change.Committed();
            }
            catch (Exception e)
            {
                foreach (var change in batch) change.Failed(e);
            }
            finally
            {
                _transaction = null;
            }
        }
    }

    private SqliteConnection Open()
    {
        if (_connection is not null) return _connection;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        _connection = connection;
        // SQLite's own busy handler waits for another writer's commit in steps of a millisecond or so; left to the
        // provider, a busy store is retried every 150 ms.
        Execute($"PRAGMA busy_timeout = {BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    public void Dispose() => _connection?.Dispose();
}
