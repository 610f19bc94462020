using Actions.Data.Hosting;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Removes execution log entries older than <c>Actions:ExecutionLog:RetentionDays</c> (0, the default, keeps every
/// entry): a minute after start, then every hour, in steps of a few thousand rows so the log writer never waits long.
/// With several instances on one store, one of them does each round (<see cref="StoreJob"/>).
/// </summary>
public sealed class ExecutionLogRetention(IDbContextFactory<AppDbContext> contexts, IOptions<ActionsOptions> options, TimeProvider time,
    StoreLocks locks, ILogger<ExecutionLogRetention> logger) : StoreJob(locks, StoreLocks.ExecutionLogRetention, time, logger)
{
    protected override TimeSpan FirstRound => TimeSpan.FromMinutes(1);
    protected override TimeSpan Interval => TimeSpan.FromHours(1);
    protected override string Doing => "Pruning the execution log";
    protected override bool Enabled => options.Value.ExecutionLog.RetentionDays > 0;

    protected override async Task RunAsync(CancellationToken ct)
    {
        var removed = await PruneAsync(ct);
        if (removed > 0) Logger.LogInformation("Removed {Count} execution log entries past the retention period", removed);
    }

    /// <summary>Removes the entries that started before the retention period; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken ct, int step = 5_000)
    {
        var days = options.Value.ExecutionLog.RetentionDays;
        if (days <= 0) return 0;
        var cutoff = Time.GetUtcNow().UtcDateTime.AddDays(-days);
        var removed = 0;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            // Entries are stored in about the order they started, so the old ones sit at the lowest ids: each step
            // looks at the next ids of the primary key rather than scanning the whole log for dates (the log has no
            // date index). The oldest entry is always in the step, so every step makes progress.
            var oldest = await db.ExecutionLog.OrderBy(e => e.Id).Select(e => new { e.Id, e.StartedAt }).FirstOrDefaultAsync(ct);
            if (oldest is null || oldest.StartedAt >= cutoff) return removed;
            var bound = oldest.Id + step;
            removed += await db.ExecutionLog.Where(e => e.Id < bound && e.StartedAt < cutoff).ExecuteDeleteAsync(ct);
        }
    }
}
