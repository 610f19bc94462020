using System.Globalization;
using Actions.Data.Databases.Sqlite;
using Actions.Data.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Stores execution log entries with group commit: a run hands its entry over and waits until the entry is
/// committed, so its answer is sent only once the entry is durable (execution.md § The execution log).
/// When no commit is under way, the run commits its own entry on its own thread (a lone run waits for no fill
/// window and no thread hand-over); runs that arrive while a commit is under way queue up and are stored together
/// in the next one, by the background loop, which keeps committing until the queue is empty. <see cref="FlushAsync"/>
/// waits until everything handed over so far is stored, and a graceful shutdown drains the queue.
/// </summary>
public sealed class ExecutionLogWriter(IDbContextFactory<AppDbContext> contexts, ILogger<ExecutionLogWriter> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    private readonly Queue<(ExecutionLogEntry Entry, TaskCompletionSource Stored)> _queue = new();
    private readonly object _gate = new();
    /// <summary>Released when the run that committed inline leaves entries behind for the loop.</summary>
    private readonly SemaphoreSlim _handOver = new(0);
    /// <summary>A commit is under way (inline or in the loop); new entries queue for the next one.</summary>
    private bool _committing;
    private bool _stopping;
    private long _enqueued;
    private long _stored;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Hands an entry to the writer; the task completes once the entry is committed (or its write failed and was
    /// logged: a failed log write never fails the action).
    /// </summary>
    public async Task RecordAsync(ExecutionLogEntry entry)
    {
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool commitHere;
        lock (_gate)
        {
            _enqueued++;
            _queue.Enqueue((entry, stored));
            commitHere = !_committing;
            _committing = true;
        }
        if (commitHere)
        {
            // No commit under way: this run stores what is waiting (its own entry first of all) itself.
            await CommitNextAsync();
            lock (_gate)
            {
                if (_queue.Count == 0) _committing = false;
                else _handOver.Release();
            }
        }
        await stored.Task;
    }

    /// <summary>Waits until every entry recorded before this call is stored (or failed and was logged).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        long target;
        lock (_gate) target = _enqueued;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_stored >= target) return;
                wait = _progress.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Woken when an inline commit left entries behind; commits until the queue is empty, then leaves commits to
        // the next run again. Runs until shutdown, so that a graceful shutdown stores everything.
        while (true)
        {
            await _handOver.WaitAsync(CancellationToken.None);
            while (true)
            {
                await CommitNextAsync();
                lock (_gate)
                {
                    if (_queue.Count > 0) continue;
                    _committing = false;
                    if (_stopping) return;
                }
                break;
            }
            lock (_gate)
                if (_stopping && !_committing) return;
        }
    }

    /// <summary>Stores up to one batch of what is waiting in one transaction and tells each of its runs.</summary>
    private async Task CommitNextAsync()
    {
        var batch = new List<(ExecutionLogEntry Entry, TaskCompletionSource Stored)>();
        lock (_gate)
            while (batch.Count < BatchSize && _queue.TryDequeue(out var item)) batch.Add(item);
        if (batch.Count == 0) return;
        await StoreAsync(batch);
        Advance(batch.Count);
        foreach (var (_, stored) in batch) stored.TrySetResult();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopping = true;
            // Take over whatever is waiting (or nothing) so that the loop drains it and ends.
            _committing = true;
        }
        _handOver.Release();
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken);
    }

    private async Task StoreAsync(List<(ExecutionLogEntry Entry, TaskCompletionSource Stored)> batch)
    {
        try
        {
            // One prepared INSERT reused for the whole batch in one transaction: far less work per entry than
            // change tracking, and the log writer shares the cores with the runs it records.
            await using var db = await contexts.CreateDbContextAsync();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            // WAL with synchronous=NORMAL: a commit no longer waits for the disk (a power cut may lose the last
            // batch, never corrupt the file) — the log must not slow the runs it records.
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous = NORMAL;";
                await pragma.ExecuteNonQueryAsync();
            }
            // The INSERT is prepared once per batch and each entry bound straight onto it: no provider command or
            // parameter objects per entry.
            var handle = ((SqliteConnection)connection).Handle!;
            SqliteSession.Check(raw.sqlite3_exec(handle, "BEGIN IMMEDIATE;"), handle);
            SqliteSession.Check(raw.sqlite3_prepare_v2(handle, """
                INSERT INTO "ExecutionLog" ("ActionId", "ActionName", "ActionType", "Source", "UserId", "ClientIp", "StartedAt",
                  "DurationMs", "Status", "HttpStatus", "ResultJson", "Error", "ParametersJson")
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                """, out var insert), handle);
            using (insert)
            {
                try
                {
                    foreach (var (e, _) in batch)
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
        catch (Exception e)
        {
            // A failed log write never fails an action; it is itself logged (without parameter values).
            logger.LogError(e, "Could not store {Count} execution log entries", batch.Count);
        }
    }

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
