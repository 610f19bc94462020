using System.Globalization;
using Actions.Data.Databases.Sqlite;
using Actions.Data.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Stores execution log entries before the run's answer is sent (durable before the answer), sharing commits:
/// the first run to arrive while no commit is under way commits its own entry on its own thread (no hand-over,
/// no fill window); runs arriving meanwhile wait together for the next commit, which the same run makes once its
/// own is done (group commit). When still more arrived by then, a pool thread takes over committing until none
/// is waiting, so no run waits for more than the commit under way and its own. A failed write never fails a run:
/// it is logged (without parameter values) and the runs go on.
/// On SQLite the writer keeps one connection of its own with its three statements prepared; on PostgreSQL each
/// batch is one binary COPY on a pooled connection.
/// </summary>
public sealed class ExecutionLogWriter(IDbContextFactory<AppDbContext> contexts, ILogger<ExecutionLogWriter> logger) : IAsyncDisposable
{
    /// <summary>Batches the run that started committing stores itself before a pool thread takes over.</summary>
    private const int RoundsOnTheRunsThread = 2;
    private readonly object _gate = new();
    private List<ExecutionLogEntry> _waiting = [];
    private List<ExecutionLogEntry> _spare = [];
    /// <summary>Completed when the entries now in <see cref="_waiting"/> are stored; made by the first run that waits.</summary>
    private TaskCompletionSource? _nextCommit;
    private bool _committing;
    private bool _disposed;
    private TaskCompletionSource? _idle;
    private SqliteLogConnection? _sqlite;

    /// <summary>Stores the entry; completes once it is committed (or its write failed and was logged).</summary>
    public ValueTask RecordAsync(ExecutionLogEntry entry)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                logger.LogWarning("Execution log entry for action {ActionId} arrived after shutdown and was not stored", entry.ActionId);
                return ValueTask.CompletedTask;
            }
            _waiting.Add(entry);
            if (_committing) return new ValueTask((_nextCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
            _committing = true;
        }
        return CommitWaitingAsync(RoundsOnTheRunsThread);
    }

    /// <summary>Commits what is waiting, batch after batch, until nothing is or <paramref name="rounds"/> are done.</summary>
    private async ValueTask CommitWaitingAsync(int rounds)
    {
        while (true)
        {
            List<ExecutionLogEntry> batch;
            TaskCompletionSource? committed;
            lock (_gate)
            {
                if (_waiting.Count == 0 || rounds-- == 0)
                {
                    if (_waiting.Count == 0)
                    {
                        _committing = false;
                        _idle?.TrySetResult();
                    }
                    // Still runs waiting: a pool thread goes on committing, this run answers.
                    else ThreadPool.UnsafeQueueUserWorkItem(static w => _ = w.CommitWaitingAsync(int.MaxValue), this, preferLocal: false);
                    return;
                }
                batch = _waiting;
                _waiting = _spare;
                committed = _nextCommit;
                _nextCommit = null;
            }
            await StoreAsync(batch);
            batch.Clear();
            lock (_gate) _spare = batch;
            committed?.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? idle = null;
        lock (_gate)
        {
            _disposed = true;
            if (_committing) idle = (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        if (idle is not null) await idle;
        _sqlite?.Dispose();
    }

    private async ValueTask StoreAsync(List<ExecutionLogEntry> batch)
    {
        try
        {
            if (_sqlite is { } open)
            {
                open.Insert(batch);
                return;
            }
            await using var db = await contexts.CreateDbContextAsync();
            switch (db.Database.GetDbConnection())
            {
                case SqliteConnection sqlite:
                    // Only ever one batch at a time (_committing), so no lock around the first open.
                    _sqlite = SqliteLogConnection.Open(sqlite.ConnectionString);
                    _sqlite.Insert(batch);
                    break;
                case NpgsqlConnection postgres:
                    await postgres.OpenAsync();
                    await CopyAsync(postgres, batch);
                    break;
                case var other:
                    throw new NotSupportedException($"No execution log writer for {other.GetType().Name}");
            }
        }
        catch (Exception e)
        {
            // A failed log write never fails an action; it is itself logged (without parameter values).
            logger.LogError(e, "Could not store {Count} execution log entries", batch.Count);
            if (_sqlite is { Broken: true } broken)
            {
                broken.Dispose();
                _sqlite = null;
            }
        }
    }

    /// <summary>
    /// SQLite: the writer's own connection, open for the app's lifetime, with <c>BEGIN IMMEDIATE</c>, the INSERT and
    /// <c>COMMIT</c> prepared once; each entry is bound straight onto the INSERT (no provider command or parameter
    /// objects). WAL with <c>synchronous=NORMAL</c>: a commit is in the WAL file before the answer, so killing the
    /// process loses nothing; only a power cut may lose the last commits (never corrupt the file).
    /// </summary>
    private sealed class SqliteLogConnection : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _begin;
        private readonly sqlite3_stmt _insert;
        private readonly sqlite3_stmt _commit;

        private SqliteLogConnection(SqliteConnection connection)
        {
            _connection = connection;
            var handle = connection.Handle!;
            // SQLite's own checkpoints stay on this connection's commits: moved to passive checkpoints on a pool thread,
            // they could never catch up with a writer that keeps committing, so the WAL was never reset and grew by
            // ~100 MB/s under load.
            SqliteSession.Check(raw.sqlite3_exec(handle, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;"), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, "BEGIN IMMEDIATE;", out _begin), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, $"""
                INSERT INTO "ExecutionLog" ({Columns})
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                """, out _insert), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, "COMMIT;", out _commit), handle);
        }

        /// <summary>Set when a write failed in a way that may have left the connection unusable: it is reopened.</summary>
        public bool Broken { get; private set; }

        public static SqliteLogConnection Open(string connectionString)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
            connection.Open();
            try
            {
                return new SqliteLogConnection(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Insert(List<ExecutionLogEntry> batch)
        {
            var handle = _connection.Handle!;
            try
            {
                Step(_begin, handle);
                foreach (var e in batch)
                {
                    raw.sqlite3_bind_int64(_insert, 1, e.ActionId);
                    SqliteSession.Bind(_insert, 2, e.ActionName);
                    SqliteSession.Bind(_insert, 3, e.ActionType);
                    SqliteSession.Bind(_insert, 4, e.Source);
                    if (e.UserId is { } user) raw.sqlite3_bind_int64(_insert, 5, user); else raw.sqlite3_bind_null(_insert, 5);
                    SqliteSession.Bind(_insert, 6, e.ClientIp);
                    // The text form EF Core's SQLite provider stores and reads for DateTime.
                    SqliteSession.Bind(_insert, 7, e.StartedAt.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture));
                    raw.sqlite3_bind_int64(_insert, 8, e.DurationMs);
                    SqliteSession.Bind(_insert, 9, e.Status);
                    raw.sqlite3_bind_int64(_insert, 10, e.HttpStatus);
                    SqliteSession.Bind(_insert, 11, e.ResultJson);
                    SqliteSession.Bind(_insert, 12, e.Error);
                    SqliteSession.Bind(_insert, 13, e.ParametersJson);
                    raw.sqlite3_bind_int64(_insert, 14, e.IsDraft ? 1 : 0);
                    Step(_insert, handle);
                }
                raw.sqlite3_clear_bindings(_insert);
                Step(_commit, handle);
            }
            catch
            {
                if (raw.sqlite3_get_autocommit(handle) == 0 && raw.sqlite3_exec(handle, "ROLLBACK;") != raw.SQLITE_OK) Broken = true;
                throw;
            }
        }

        private static void Step(sqlite3_stmt statement, sqlite3 handle)
        {
            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            SqliteSession.Check(rc, handle);
        }

        public void Dispose()
        {
            _begin.Dispose();
            _insert.Dispose();
            _commit.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>
    /// PostgreSQL: the whole batch in one binary COPY, a single statement and so a single commit; every value is
    /// sent as typed binary data, never as SQL text.
    /// </summary>
    private static async Task CopyAsync(NpgsqlConnection connection, List<ExecutionLogEntry> batch)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"""COPY "ExecutionLog" ({Columns}) FROM STDIN (FORMAT BINARY)""");
        foreach (var e in batch)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(e.ActionId, NpgsqlDbType.Integer);
            await WriteTextAsync(copy, e.ActionName);
            await WriteTextAsync(copy, e.ActionType);
            await WriteTextAsync(copy, e.Source);
            if (e.UserId is { } user) await copy.WriteAsync(user, NpgsqlDbType.Integer); else await copy.WriteNullAsync();
            await WriteTextAsync(copy, e.ClientIp);
            // As the store's UTC converter writes it.
            await copy.WriteAsync(e.StartedAt.Kind == DateTimeKind.Utc ? e.StartedAt : e.StartedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(e.DurationMs, NpgsqlDbType.Integer);
            await WriteTextAsync(copy, e.Status);
            await copy.WriteAsync(e.HttpStatus, NpgsqlDbType.Integer);
            await WriteTextAsync(copy, e.ResultJson);
            await WriteTextAsync(copy, e.Error);
            await WriteTextAsync(copy, e.ParametersJson);
            await copy.WriteAsync(e.IsDraft, NpgsqlDbType.Boolean);
        }
        await copy.CompleteAsync();
    }

    private static async Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) await copy.WriteNullAsync();
        else await copy.WriteAsync(PostgresAppDbContext.NulFreeText.WithoutNul(value), NpgsqlDbType.Text);
    }

    private const string Columns = """
        "ActionId", "ActionName", "ActionType", "Source", "UserId", "ClientIp", "StartedAt",
          "DurationMs", "Status", "HttpStatus", "ResultJson", "Error", "ParametersJson", "IsDraft"
        """;
}
