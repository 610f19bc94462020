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
    public sealed record Filter(int? ActionId, string? Status, string? Source, int Limit, int Offset);

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

    private static IQueryable<ExecutionLogEntry> Narrow(IQueryable<ExecutionLogEntry> q, Filter filter)
    {
        if (filter.ActionId is { } id) q = q.Where(e => e.ActionId == id);
        if (filter.Status is { } status) q = q.Where(e => e.Status == status);
        if (filter.Source is { } source) q = q.Where(e => e.Source == source);
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
