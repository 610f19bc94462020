using System.Buffers;
using System.Globalization;
using Actions.Data.Databases.Sqlite;
using Actions.Data.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Stores execution log entries before the run's answer is sent (durable before the answer).
/// On a SQLite store (one process) an entry is copied into the store's journal (<see cref="LogJournal"/>, a memory-mapped
/// file that outlives the process) and moved into the table by a background loop, hundreds of entries per transaction;
/// the log's readers first wait for what is journaled to be moved (<see cref="FlushAsync"/>), and a start after a crash
/// replays what was not. On PostgreSQL (several instances, each entry visible to all at once) the entry is committed to
/// the table itself, sharing commits: the first run to arrive while no commit is under way commits its own entry on its
/// own thread (no hand-over, no fill window); runs arriving meanwhile wait together for the next commit, which the same
/// run makes once its own is done (group commit). When still more arrived by then, a pool thread takes over committing
/// until none is waiting. A failed write never fails a run: it is logged (without parameter values) and the runs go on.
/// </summary>
public sealed class ExecutionLogWriter(IDbContextFactory<AppDbContext> contexts, IHostApplicationLifetime lifetime, ILogger<ExecutionLogWriter> logger)
    : IAsyncDisposable
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
    private Task? _closed;

    /// <summary>How long journaled entries may wait before they are moved into the table (readers never wait for it).</summary>
    private static readonly TimeSpan MoveInterval = TimeSpan.FromMilliseconds(50);
    private const int MoveEarlyAt = 1024;
    private LogJournal? _journal;
    private readonly object _moveGate = new();
    private List<Pending> _toMove = [];
    /// <summary>Journaled entries taken by the mover that wait for an earlier sequence number (moved in order).</summary>
    private readonly Dictionary<long, Pending> _outOfOrder = [];
    private readonly RecordBatch _batch = new();
    private SqliteLogConnection? _sqlite;
    private long _moved;
    private int _failedMoves;
    private TaskCompletionSource _moveRound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _mover;
    private string? _sqliteConnectionString;

    /// <summary>
    /// On a SQLite store file: opens the writer's connection and the journal beside the store, replaying what a
    /// previous process journaled but did not move, and starts the mover. Called once at start-up, after migrations.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (db.Database.GetDbConnection() is not SqliteConnection store) return;
        var builder = new SqliteConnectionStringBuilder(store.ConnectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is not { Length: > 0 } file || file == ":memory:")
            throw new NotSupportedException("The SQLite app store must be a file: its execution log is journaled beside it.");
        _sqliteConnectionString = store.ConnectionString;
        var sqlite = _sqlite = SqliteLogConnection.Open(store.ConnectionString);
        _journal = LogJournal.Open(Path.GetFullPath(file) + "-log", records =>
        {
            var moved = sqlite.ReadMoved();
            var replay = records.Where(r => r.Seq > moved).ToList();
            if (replay.Count == 0) return moved;
            var batch = new RecordBatch();
            foreach (var r in replay) batch.Add(r.Payload.Span);
            sqlite.Insert(batch, replay[^1].Seq);
            logger.LogWarning("Moved {Count} execution log entries left in the journal by a process that stopped without moving them", replay.Count);
            return replay[^1].Seq;
        });
        _moved = _journal.LastSeq;
        // Its own thread: the loop blocks in SQLite for each batch, and its CPU time can be told apart (bench/).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _mover = done.Task;
        new Thread(() => MoveLoop(done)) { IsBackground = true, Name = "Log mover" }.Start();
        // Closed as soon as the server has stopped and answered its last request, not only when the services are
        // disposed later (which an app hosted in tests does after its host's StopAsync has returned).
        lifetime.ApplicationStopped.Register(() => DisposeAsync().AsTask().GetAwaiter().GetResult());
    }

    /// <summary>Waits until every entry journaled so far is in the table (a no-op where entries are committed directly).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_journal is not { } journal) return;
        var target = journal.LastSeq;
        while (true)
        {
            Task round;
            lock (_moveGate)
            {
                if (_moved >= target || _mover is not { IsCompleted: false }) return;
                round = _moveRound.Task;
            }
            Wake();
            await round.WaitAsync(ct);
        }
    }

    /// <summary>Stores the entry; completes once it is committed (or its write failed and was logged).</summary>
    public ValueTask RecordAsync(ExecutionLogEntry entry)
    {
        if (_journal is { } journal) return Journal(journal, entry);
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

    private ValueTask Journal(LogJournal journal, ExecutionLogEntry entry)
    {
        if (Volatile.Read(ref _disposed))
        {
            logger.LogWarning("Execution log entry for action {ActionId} arrived after shutdown and was not stored", entry.ActionId);
            return ValueTask.CompletedTask;
        }
        Pending pending;
        try
        {
            var slot = journal.Append(entry);
            // The entry is kept only when its copy failed; otherwise the mover reads the record back from the journal.
            pending = new Pending(slot, slot.Copied ? null : entry);
            if (!slot.Copied) logger.LogError("Execution log entry for action {ActionId} could not be journaled (shutting down)", entry.ActionId);
        }
        catch (Exception e)
        {
            // Still stored by the mover, only not replayable after a crash.
            logger.LogError(e, "Could not journal the execution log entry for action {ActionId}", entry.ActionId);
            pending = new Pending(default, entry);
        }
        int waiting;
        lock (_moveGate)
        {
            _toMove.Add(pending);
            waiting = _toMove.Count;
        }
        if (waiting == MoveEarlyAt) Wake();
        return ValueTask.CompletedTask;
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    private void MoveLoop(TaskCompletionSource done)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _wake.Wait(MoveInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break; // DisposeAsync moves the rest.
            }
            try
            {
                MoveJournaled();
            }
            catch (Exception e)
            {
                // E.g. a moved segment that could not be deleted: the loop goes on (a replay skips moved records).
                logger.LogError(e, "Moving journaled execution log entries failed");
            }
        }
        done.SetResult();
    }

    /// <summary>
    /// Moves the journaled entries into the table in sequence order, as one transaction that also records how far the
    /// journal is moved, then drops the journal segments that are all moved. Runs on the mover only (and once more at shutdown).
    /// </summary>
    private void MoveJournaled()
    {
        List<Pending> taken;
        lock (_moveGate)
        {
            taken = _toMove;
            _toMove = [];
        }
        var batch = new List<Pending>(taken.Count);
        var moved = _moved;
        // Only a gap-free run of sequence numbers moves: a replay skips everything up to the mark. Entries mostly
        // arrive in order; those that overtook an earlier one wait for it here.
        foreach (var item in taken)
        {
            if (item.Unnumbered) batch.Add(item);
            else if (item.Slot.Seq == moved + 1 && _outOfOrder.Count == 0)
            {
                batch.Add(item);
                moved++;
            }
            else _outOfOrder.Add(item.Slot.Seq, item);
        }
        while (_outOfOrder.Remove(moved + 1, out var next))
        {
            batch.Add(next);
            moved++;
        }
        if (batch.Count > 0)
        {
            try
            {
                if (_sqlite!.Broken)
                {
                    _sqlite.Dispose();
                    _sqlite = SqliteLogConnection.Open(_sqliteConnectionString!);
                }
                _batch.Clear();
                foreach (var item in batch)
                {
                    if (item.Unjournaled is { } entry) _batch.Add(entry);
                    else _batch.Add(item.Slot);
                }
                _sqlite.Insert(_batch, moved > _moved ? moved : null);
                _failedMoves = 0;
            }
            catch (Exception e) when (++_failedMoves < 3)
            {
                logger.LogWarning(e, "Could not move {Count} execution log entries into the store; trying again", batch.Count);
                foreach (var item in batch)
                    if (!item.Unnumbered) _outOfOrder.Add(item.Slot.Seq, item);
                lock (_moveGate) _toMove.AddRange(batch.Where(b => b.Unnumbered));
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not store {Count} execution log entries", batch.Count);
                _failedMoves = 0;
            }
        }
        TaskCompletionSource finished;
        lock (_moveGate)
        {
            _moved = moved;
            finished = _moveRound;
            _moveRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        finished.TrySetResult();
        if (batch.Count > 0) _journal!.Release(moved);
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

    /// <summary>Stores what is waiting and closes the journal; the first call does it, later ones wait for it.</summary>
    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? mine = null;
        Task closed;
        lock (_gate)
        {
            if (_closed is null)
            {
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _closed = mine.Task;
            }
            closed = _closed;
        }
        if (mine is null)
        {
            await closed;
            return;
        }
        try
        {
            await CloseAsync();
        }
        finally
        {
            mine.SetResult();
        }
    }

    private async Task CloseAsync()
    {
        Task? idle = null;
        lock (_gate)
        {
            _disposed = true;
            if (_committing) idle = (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        if (idle is not null) await idle;
        if (_mover is { } mover)
        {
            _stop.Cancel();
            await mover;
            MoveJournaled();
            lock (_moveGate) _journal!.Dispose(allMoved: _outOfOrder.Count == 0 && _toMove.Count == 0);
        }
        _sqlite?.Dispose();
    }

    private async ValueTask StoreAsync(List<ExecutionLogEntry> batch)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            switch (db.Database.GetDbConnection())
            {
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
        }
    }

    /// <summary>
    /// An entry waiting for the mover: where the journal has it, or the entry itself when it could not be copied
    /// there (<see cref="Unjournaled"/>; without a sequence number when the journal gave none).
    /// </summary>
    private readonly record struct Pending(LogJournal.Slot Slot, ExecutionLogEntry? Unjournaled)
    {
        public bool Unnumbered => Unjournaled is not null && Slot.Seq == 0;
    }

    /// <summary>The records of one move, back to back in one reused buffer.</summary>
    private sealed class RecordBatch
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(64 * 1024);
        private readonly List<(int Start, int Length)> _records = [];

        public int Count => _records.Count;

        public ReadOnlySpan<byte> this[int i] => _bytes.WrittenSpan.Slice(_records[i].Start, _records[i].Length);

        public void Clear()
        {
            _bytes.ResetWrittenCount();
            _records.Clear();
        }

        public void Add(in LogJournal.Slot slot)
        {
            var start = _bytes.WrittenCount;
            LogJournal.CopyPayload(slot, _bytes);
            Added(start);
        }

        public void Add(ExecutionLogEntry entry)
        {
            var start = _bytes.WrittenCount;
            LogRecord.Write(_bytes, entry);
            Added(start);
        }

        public void Add(ReadOnlySpan<byte> payload)
        {
            var start = _bytes.WrittenCount;
            _bytes.Write(payload);
            Added(start);
        }

        private void Added(int start) => _records.Add((start, _bytes.WrittenCount - start));
    }

    /// <summary>
    /// SQLite: the writer's own connection, open for the app's lifetime, with <c>BEGIN IMMEDIATE</c>, the INSERT and
    /// <c>COMMIT</c> prepared once; each entry is bound straight onto the INSERT (no provider command or parameter
    /// objects). WAL with <c>synchronous=NORMAL</c>: a commit is in the WAL file before the answer, so killing the
    /// process loses nothing; only a power cut may lose the last commits (never corrupt the file).
    /// </summary>
    private sealed class SqliteLogConnection : IDisposable
    {
        private readonly sqlite3 _connection;
        private readonly sqlite3_stmt _begin;
        private readonly sqlite3_stmt _insert;
        /// <summary>An INSERT of <see cref="RowsPerInsert"/> rows: a statement's own work (cursors, AUTOINCREMENT's
        /// sequence row, …) was half of a one-row INSERT's cost.</summary>
        private readonly sqlite3_stmt _insertMany;
        private readonly sqlite3_stmt _commit;
        private readonly sqlite3_stmt _moved;

        private SqliteLogConnection(sqlite3 connection)
        {
            _connection = connection;
            var handle = connection;
            // SQLite's own checkpoints stay on this connection's commits: moved to passive checkpoints on a pool thread,
            // they could never catch up with a writer that keeps committing, so the WAL was never reset and grew by
            // ~100 MB/s under load.
            SqliteSession.Check(raw.sqlite3_exec(handle, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;"), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, "BEGIN IMMEDIATE;", out _begin), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, InsertSql(1), out _insert), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, InsertSql(RowsPerInsert), out _insertMany), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, "COMMIT;", out _commit), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, """
                INSERT INTO "ExecutionLogJournal" ("Id", "MovedSeq") VALUES (1, ?1)
                ON CONFLICT ("Id") DO UPDATE SET "MovedSeq" = excluded."MovedSeq"
                """, out _moved), handle);
        }

        /// <summary>Set when a write failed in a way that may have left the connection unusable: it is reopened.</summary>
        public bool Broken { get; private set; }

        /// <summary>
        /// Opens the store file without SQLite's per-call mutex (<c>SQLITE_OPEN_NOMUTEX</c>): only the mover uses this
        /// connection, one call at a time, and the mutex was a twentieth of the move's cost.
        /// </summary>
        public static SqliteLogConnection Open(string connectionString)
        {
            var file = Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);
            var rc = raw.sqlite3_open_v2(file, out var connection, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
            try
            {
                SqliteSession.Check(rc, connection);
                return new SqliteLogConnection(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>How far the journal is moved into the table (0 before its first move).</summary>
        public long ReadMoved()
        {
            var handle = _connection;
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, """SELECT "MovedSeq" FROM "ExecutionLogJournal" WHERE "Id" = 1""", out var read), handle);
            using (read)
            {
                var rc = raw.sqlite3_step(read);
                if (rc == raw.SQLITE_ROW) return raw.sqlite3_column_int64(read, 0);
                if (rc != raw.SQLITE_DONE) SqliteSession.Check(rc, handle);
                return 0;
            }
        }

        /// <summary>Stores the records in one transaction, with the journal's mark when <paramref name="moved"/> is given.</summary>
        public void Insert(RecordBatch batch, long? moved = null)
        {
            var handle = _connection;
            try
            {
                Step(_begin, handle);
                var i = 0;
                for (; i + RowsPerInsert <= batch.Count; i += RowsPerInsert)
                {
                    for (var row = 0; row < RowsPerInsert; row++) BindRow(_insertMany, row * ColumnCount, batch[i + row], handle);
                    Step(_insertMany, handle);
                }
                for (; i < batch.Count; i++)
                {
                    BindRow(_insert, 0, batch[i], handle);
                    Step(_insert, handle);
                }
                raw.sqlite3_clear_bindings(_insert);
                raw.sqlite3_clear_bindings(_insertMany);
                if (moved is { } mark)
                {
                    raw.sqlite3_bind_int64(_moved, 1, mark);
                    Step(_moved, handle);
                }
                Step(_commit, handle);
            }
            catch
            {
                if (raw.sqlite3_get_autocommit(handle) == 0 && raw.sqlite3_exec(handle, "ROLLBACK;") != raw.SQLITE_OK) Broken = true;
                throw;
            }
        }

        private const int RowsPerInsert = 32;
        private const int ColumnCount = 14;

        /// <summary>The INSERT's parameter (of its row) of each of <see cref="LogRecord"/>'s text fields, in their order.</summary>
        private static readonly int[] TextColumns = [2, 3, 4, 6, 9, 11, 12, 13];

        private static string InsertSql(int rows) =>
            $"""INSERT INTO "ExecutionLog" ({Columns}) VALUES """ +
            string.Join(", ", Enumerable.Range(0, rows).Select(r =>
                "(" + string.Join(", ", Enumerable.Range(r * ColumnCount + 1, ColumnCount).Select(p => $"?{p}")) + ")"));

        /// <summary>Binds a record onto the row of <paramref name="statement"/> whose parameters follow <paramref name="offset"/>.</summary>
        private static void BindRow(sqlite3_stmt statement, int offset, ReadOnlySpan<byte> record, sqlite3 handle)
        {
            var r = new LogRecord.Reader(record);
            raw.sqlite3_bind_int64(statement, offset + 1, r.ActionId);
            if (r.UserId is { } user) raw.sqlite3_bind_int64(statement, offset + 5, user); else raw.sqlite3_bind_null(statement, offset + 5);
            // The text form EF Core's SQLite provider stores and reads for DateTime.
            Span<byte> startedAt = stackalloc byte[32];
            r.StartedAt.TryFormat(startedAt, out var written, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);
            Bind(handle, raw.sqlite3_bind_text(statement, offset + 7, startedAt[..written]));
            raw.sqlite3_bind_int64(statement, offset + 8, r.DurationMs);
            raw.sqlite3_bind_int64(statement, offset + 10, r.HttpStatus);
            raw.sqlite3_bind_int64(statement, offset + 14, r.IsDraft ? 1 : 0);
            // The texts, in LogRecord's order: SQLite copies each while binding.
            foreach (var column in TextColumns)
                Bind(handle, r.TryNextText(out var text)
                    ? raw.sqlite3_bind_text(statement, offset + column, text)
                    : raw.sqlite3_bind_null(statement, offset + column));
        }

        private static void Bind(sqlite3 handle, int rc)
        {
            if (rc != raw.SQLITE_OK) SqliteSession.Check(rc, handle);
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
            _insertMany.Dispose();
            _commit.Dispose();
            _moved.Dispose();
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
