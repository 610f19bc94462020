using System.Threading.Channels;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Writes execution log entries off the request path: a run only enqueues its entry; a background loop inserts
/// them in batches. <see cref="FlushAsync"/> waits until everything enqueued so far is stored (the log endpoints
/// call it before reading), and a graceful shutdown drains the queue.
/// </summary>
public sealed class ExecutionLogWriter(IDbContextFactory<AppDbContext> contexts, ILogger<ExecutionLogWriter> logger) : BackgroundService
{
    private const int BatchSize = 500;
    /// <summary>How long the writer lets a batch fill once an entry arrived (a flush cuts it short).</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(50);
    private readonly Channel<ExecutionLogEntry> _queue = Channel.CreateUnbounded<ExecutionLogEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private long _enqueued;
    private long _stored;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            Task flush;
            lock (_gate) flush = _flushRequested.Task;
            if (!flush.IsCompleted)
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
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO "ExecutionLog" ("ActionId", "ActionName", "ActionType", "Source", "UserId", "ClientIp", "StartedAt",
                  "DurationMs", "Status", "HttpStatus", "ResultJson", "Error", "ParametersJson")
                VALUES (@a, @n, @t, @s, @u, @ip, @at, @d, @st, @h, @r, @e, @p)
                """;
            var names = new[] { "@a", "@n", "@t", "@s", "@u", "@ip", "@at", "@d", "@st", "@h", "@r", "@e", "@p" };
            var parameters = names.Select(n =>
            {
                var p = command.CreateParameter();
                p.ParameterName = n;
                command.Parameters.Add(p);
                return p;
            }).ToArray();
            foreach (var e in batch)
            {
                object?[] values = [e.ActionId, e.ActionName, e.ActionType, e.Source, e.UserId, e.ClientIp, e.StartedAt, e.DurationMs,
                    e.Status, e.HttpStatus, e.ResultJson, e.Error, e.ParametersJson];
                for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i] ?? DBNull.Value;
                await command.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
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
