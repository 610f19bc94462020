using System.Globalization;
using System.Threading.Channels;
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
/// Writes execution log entries off the request path: a run only enqueues its entry; a background loop inserts
/// them in batches. <see cref="FlushAsync"/> waits until everything enqueued so far is stored (the log endpoints
/// call it before reading), and a graceful shutdown drains the queue.
/// </summary>
public sealed class ExecutionLogWriter(IDbContextFactory<AppDbContext> contexts, ILogger<ExecutionLogWriter> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    /// <summary>How long the writer lets a batch fill once an entry arrived (a flush cuts it short).</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(50);
    private readonly Channel<ExecutionLogEntry> _queue = Channel.CreateUnbounded<ExecutionLogEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private long _enqueued;
    private long _stored;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Entries recorded but not stored yet (the queue, at the top of the writer's loop).</summary>
    private long Pending
    {
        get
        {
            lock (_gate) return Interlocked.Read(ref _enqueued) - _stored;
        }
    }

    public void Record(ExecutionLogEntry entry)
    {
        Interlocked.Increment(ref _enqueued);
        if (!_queue.Writer.TryWrite(entry))
        {
            // Only after shutdown began: the entry cannot be stored any more; say so rather than lose it silently.
            logger.LogWarning("Execution log entry for action {ActionId} arrived after shutdown and was not stored", entry.ActionId);
            Advance(1);
        }
    }

    /// <summary>Waits until every entry recorded before this call is stored (or failed and was logged).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_stored >= target) return;
                wait = _progress.Task;
                _flushRequested.TrySetResult();
            }
            await wait.WaitAsync(ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<ExecutionLogEntry>(BatchSize);
        // Runs until the channel is completed in StopAsync, so that a graceful shutdown stores everything.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Under load, letting the batch fill for a moment turns hundreds of small transactions into one;
            // a reader waiting in FlushAsync (or shutdown) does not wait for the window.
            // When a full batch is already waiting (the writer is behind), it is stored at once: waiting would cap the
            // log at one batch per window and let the queue grow under load.
            Task flush;
            lock (_gate) flush = _flushRequested.Task;
            if (!flush.IsCompleted && Pending < BatchSize)
                await Task.WhenAny(flush, Task.Delay(BatchWindow, CancellationToken.None));
            lock (_gate)
                if (_flushRequested.Task.IsCompleted) _flushRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            while (batch.Count < BatchSize && reader.TryRead(out var entry)) batch.Add(entry);
            await StoreAsync(batch);
            Advance(batch.Count);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        lock (_gate) _flushRequested.TrySetResult();
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken);
    }

    private async Task StoreAsync(List<ExecutionLogEntry> batch)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            switch (connection)
            {
                case SqliteConnection sqlite:
                    await InsertAsync(sqlite, batch);
                    break;
                case NpgsqlConnection postgres:
                    await CopyAsync(postgres, batch);
                    break;
                default:
                    throw new NotSupportedException($"No execution log writer for {connection.GetType().Name}");
            }
        }
        catch (Exception e)
        {
            // A failed log write never fails an action; it is itself logged (without parameter values).
            logger.LogError(e, "Could not store {Count} execution log entries", batch.Count);
        }
    }

    /// <summary>
    /// SQLite: one prepared INSERT reused for the whole batch in one transaction: far less work per entry than
    /// change tracking, and the log writer shares the cores with the runs it records.
    /// </summary>
    private static async Task InsertAsync(SqliteConnection connection, List<ExecutionLogEntry> batch)
    {
        // WAL with synchronous=NORMAL: a commit no longer waits for the disk (a power cut may lose the last
        // batch, never corrupt the file) — the log must not slow the runs it records.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync();
        }
        // The INSERT is prepared once per batch and each entry bound straight onto it: no provider command or
        // parameter objects per entry.
        var handle = connection.Handle!;
        SqliteSession.Check(raw.sqlite3_exec(handle, "BEGIN IMMEDIATE;"), handle);
        SqliteSession.Check(raw.sqlite3_prepare_v2(handle, $"""
            INSERT INTO "ExecutionLog" ({Columns})
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """, out var insert), handle);
        using (insert)
        {
            try
            {
                foreach (var e in batch)
                {
                    raw.sqlite3_bind_int64(insert, 1, e.ActionId);
                    SqliteSession.Bind(insert, 2, e.ActionName);
                    SqliteSession.Bind(insert, 3, e.ActionType);
                    SqliteSession.Bind(insert, 4, e.Source);
                    if (e.UserId is { } user) raw.sqlite3_bind_int64(insert, 5, user); else raw.sqlite3_bind_null(insert, 5);
                    SqliteSession.Bind(insert, 6, e.ClientIp);
                    // The text form EF Core's SQLite provider stores and reads for DateTime.
                    SqliteSession.Bind(insert, 7, e.StartedAt.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture));
                    raw.sqlite3_bind_int64(insert, 8, e.DurationMs);
                    SqliteSession.Bind(insert, 9, e.Status);
                    raw.sqlite3_bind_int64(insert, 10, e.HttpStatus);
                    SqliteSession.Bind(insert, 11, e.ResultJson);
                    SqliteSession.Bind(insert, 12, e.Error);
                    SqliteSession.Bind(insert, 13, e.ParametersJson);
                    var rc = raw.sqlite3_step(insert);
                    raw.sqlite3_reset(insert);
                    SqliteSession.Check(rc, handle);
                }
                SqliteSession.Check(raw.sqlite3_exec(handle, "COMMIT;"), handle);
            }
            catch
            {
                if (raw.sqlite3_get_autocommit(handle) == 0) raw.sqlite3_exec(handle, "ROLLBACK;");
                throw;
            }
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
          "DurationMs", "Status", "HttpStatus", "ResultJson", "Error", "ParametersJson"
        """;

    private void Advance(int count)
    {
        lock (_gate)
        {
            _stored += count;
            var done = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.TrySetResult();
        }
    }
}
