using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Execution.Log;

/// <summary>Reads the execution log: per action (write permission) and over all actions (superuser).</summary>
public sealed class ExecutionHistoryService(IDbContextFactory<AppDbContext> contexts, ExecutionLogWriter writer, CollectionService collections)
{
    public sealed record Filter(int? ActionId, string? Status, string? Source, int Limit, int Offset);

    public async Task<JsonObject> ForActionAsync(Caller caller, int actionId, int limit, int offset, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await db.Actions.AsNoTracking().Where(a => a.Id == actionId).Select(a => new { a.ModelId }).FirstOrDefaultAsync(ct)
                     ?? throw ApiError.NotFound();
        var collectionId = await db.Cards.Where(c => c.Id == action.ModelId).Select(c => c.CollectionId).FirstAsync(ct);
        if (!await collections.CanWriteAsync(caller, collectionId, ct)) throw ApiError.Forbidden();
        await writer.FlushAsync(ct);
        return await PageAsync(db, db.ExecutionLog.Where(e => e.ActionId == actionId), limit, offset, ct);
    }

    public async Task<JsonObject> AllAsync(Caller caller, Filter filter, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await writer.FlushAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var q = db.ExecutionLog.AsQueryable();
        if (filter.ActionId is { } id) q = q.Where(e => e.ActionId == id);
        if (filter.Status is { } status) q = q.Where(e => e.Status == status);
        if (filter.Source is { } source) q = q.Where(e => e.Source == source);
        return await PageAsync(db, q, filter.Limit, filter.Offset, ct);
    }

    private static async Task<JsonObject> PageAsync(AppDbContext db, IQueryable<ExecutionLogEntry> q, int limit, int offset, CancellationToken ct)
    {
        var total = await q.CountAsync(ct);
        var rows = await q.AsNoTracking().OrderByDescending(e => e.Id).Skip(offset).Take(limit).ToListAsync(ct);
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
    };
}
