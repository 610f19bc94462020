using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Execution.Log;

/// <summary>
/// Reads the execution log: per action (write permission) and over all actions (superuser). Every answered run's
/// entry is durable before its answer (<see cref="ExecutionLogWriter"/>); on a SQLite store what is still in the journal
/// is moved into the table first, so every answered run is listed.
/// </summary>
public sealed class ExecutionHistoryService(IDbContextFactory<AppDbContext> contexts, CollectionService collections, ExecutionLogWriter log)
{
    /// <summary>The longest range <see cref="RunsPerHourAsync"/> counts (a month of hours).</summary>
    public static readonly TimeSpan LongestChartRange = TimeSpan.FromDays(31);

    /// <summary>Which runs: of one action, with one outcome, from one source, started in [<paramref name="Since"/>, <paramref name="Until"/>).</summary>
    public sealed record Filter(int? ActionId, string? Status, string? Source, int Limit, int Offset, DateTime? Since = null, DateTime? Until = null);

    /// <summary>The runs that started in one hour (UTC), by outcome.</summary>
    public sealed record HourlyRuns(DateTime Hour, int Successes, int Errors);

    /// <summary>One action's runs (write permission on its model's collection); the filter's status and source narrow them.</summary>
    public async Task<JsonObject> ForActionAsync(Caller caller, int actionId, Filter filter, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await db.Actions.AsNoTracking().Where(a => a.Id == actionId).Select(a => new { a.ModelId }).FirstOrDefaultAsync(ct)
                     ?? throw ApiError.NotFound();
        var collectionId = await db.Cards.Where(c => c.Id == action.ModelId).Select(c => c.CollectionId).FirstAsync(ct);
        if (!await collections.CanWriteAsync(caller, collectionId, ct)) throw ApiError.Forbidden();
        return await PageAsync(Narrow(db.ExecutionLog.Where(e => e.ActionId == actionId), filter with { ActionId = null }), filter, ct);
    }

    /// <summary>Every action's runs (superuser).</summary>
    public async Task<JsonObject> AllAsync(Caller caller, Filter filter, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await PageAsync(Narrow(db.ExecutionLog, filter), filter, ct);
    }

    /// <summary>
    /// Every hour of the filter's range (at most <see cref="LongestChartRange"/>) with the number of runs that succeeded
    /// and failed in it, hours without runs included (superuser). The store counts; only one row per hour and outcome
    /// is read.
    /// </summary>
    public async Task<IReadOnlyList<HourlyRuns>> RunsPerHourAsync(Caller caller, Filter filter, CancellationToken ct)
    {
        caller.RequireSuperuser();
        if (filter.Since is not { } since || filter.Until is not { } until || until <= since || until - since > LongestChartRange)
            throw ApiError.BadRequest($"The chart needs a range of at most {LongestChartRange.TotalDays:0} days.");
        var first = StartOfHour(since.ToUniversalTime());
        await log.FlushAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var counts = await Narrow(db.ExecutionLog, filter)
            .GroupBy(e => new { e.StartedAt.Year, e.StartedAt.Month, e.StartedAt.Day, e.StartedAt.Hour, e.Status })
            .Select(g => new { g.Key.Year, g.Key.Month, g.Key.Day, g.Key.Hour, g.Key.Status, Count = g.Count() })
            .ToListAsync(ct);
        var byHour = counts.ToLookup(c => new DateTime(c.Year, c.Month, c.Day, c.Hour, 0, 0, DateTimeKind.Utc));
        var hours = new List<HourlyRuns>();
        for (var hour = first; hour < until.ToUniversalTime(); hour = hour.AddHours(1))
        {
            var runs = byHour[hour].ToList();
            hours.Add(new HourlyRuns(hour, runs.Where(r => r.Status == "success").Sum(r => r.Count), runs.Where(r => r.Status != "success").Sum(r => r.Count)));
        }
        return hours;
    }

    private static DateTime StartOfHour(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);

    private static IQueryable<ExecutionLogEntry> Narrow(IQueryable<ExecutionLogEntry> q, Filter filter)
    {
        if (filter.ActionId is { } id) q = q.Where(e => e.ActionId == id);
        if (filter.Status is { } status) q = q.Where(e => e.Status == status);
        if (filter.Source is { } source) q = q.Where(e => e.Source == source);
        if (filter.Since is { } since)
        {
            var from = since.ToUniversalTime();
            q = q.Where(e => e.StartedAt >= from);
        }
        if (filter.Until is { } until)
        {
            var to = until.ToUniversalTime();
            q = q.Where(e => e.StartedAt < to);
        }
        return q;
    }

    private async Task<JsonObject> PageAsync(IQueryable<ExecutionLogEntry> q, Filter filter, CancellationToken ct)
    {
        await log.FlushAsync(ct);
        var total = await q.CountAsync(ct);
        var rows = await q.AsNoTracking().OrderByDescending(e => e.Id).Skip(filter.Offset).Take(filter.Limit).ToListAsync(ct);
        return new JsonObject { ["data"] = new JsonArray(rows.Select(r => (JsonNode?)ToJson(r)).ToArray()), ["total"] = total };
    }

    public static JsonObject ToJson(ExecutionLogEntry e) => new()
    {
        ["id"] = e.Id,
        ["action_id"] = e.ActionId,
        ["action_name"] = e.ActionName,
        ["action_type"] = e.ActionType,
        ["source"] = e.Source,
        ["user_id"] = e.UserId,
        ["client_ip"] = e.ClientIp,
        ["started_at"] = e.StartedAt,
        ["duration_ms"] = e.DurationMs,
        ["status"] = e.Status,
        ["http_status"] = e.HttpStatus,
        ["result"] = e.ResultJson is null ? null : JsonNode.Parse(e.ResultJson),
        ["error"] = e.Error,
        ["parameters"] = e.ParametersJson is null ? null : JsonNode.Parse(e.ParametersJson),
        ["draft"] = e.IsDraft,
    };
}
