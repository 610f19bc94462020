using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Actions.Data.Databases;

/// <summary>Connected databases, their schema sync, tables and fields.</summary>
public sealed class DatabaseService(IDbContextFactory<AppDbContext> contexts, DatabaseEngines engines, DatabaseConnections connections,
    TimeProvider time, ILogger<DatabaseService> logger)
{
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _syncLocks = new();

    public sealed record NewDatabase(string Name, string Engine, JsonObject Details, bool IsSample = false, bool ActionsEnabled = false);

    /// <summary>Tests the connection (400 with the driver's reason), stores it, then syncs its schema.</summary>
    public async Task<DatabaseDto> CreateAsync(Caller caller, NewDatabase input, CancellationToken ct)
    {
        caller.RequireSuperuser();
        var engine = engines.Get(input.Engine);
        var (details, password) = SplitPassword(input.Details);
        var connectionString = engine.ConnectionString(details, password);
        await TestAsync(engine, connectionString, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var row = new ConnectedDatabase
        {
            Name = input.Name, Engine = engine.Name, DetailsJson = details.ToJsonString(),
            EncryptedPassword = password is null ? null : connections.Protect(password),
            IsSample = input.IsSample, ActionsEnabled = input.ActionsEnabled, CreatedAt = now, UpdatedAt = now,
        };
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.Databases.Add(row);
            await db.SaveChangesAsync(ct);
        }
        await SyncCoreAsync(row.Id, ct);
        return ToDto(row, caller);
    }

    public async Task<ListPage<DatabaseDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Databases.AsNoTracking().OrderBy(d => d.Id).ToListAsync(ct);
        return new ListPage<DatabaseDto>(rows.Select(r => ToDto(r, caller)).ToList(), rows.Count);
    }

    public async Task<DatabaseDto> GetAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiError.NotFound();
        return ToDto(row, caller);
    }

    public sealed record DatabaseChanges(string? Name, JsonObject? Details, bool? ActionsEnabled);

    /// <summary>
    /// Changes name, details (an omitted or masked password keeps the stored one; new details are tested first)
    /// or the actions setting.
    /// </summary>
    public async Task<DatabaseDto> UpdateAsync(Caller caller, int id, DatabaseChanges changes, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiError.NotFound();
        var resync = false;
        if (changes.Details is { } newDetails)
        {
            var engine = engines.Get(row.Engine);
            var (details, password) = SplitPassword(newDetails);
            var keepPassword = password is null || password == DatabaseMapping.MaskedPassword;
            var effectivePassword = keepPassword ? connections.Unprotect(row.EncryptedPassword) : password;
            await TestAsync(engine, engine.ConnectionString(details, effectivePassword), ct);
            row.DetailsJson = details.ToJsonString();
            if (!keepPassword) row.EncryptedPassword = connections.Protect(password!);
            resync = true;
        }
        if (changes.Name is { } name) row.Name = name;
        if (changes.ActionsEnabled is { } enabled) row.ActionsEnabled = enabled;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        if (resync) await SyncCoreAsync(id, ct);
        return ToDto(row, caller);
    }

    /// <summary>Deletes the database with its tables, fields, models and their actions.</summary>
    public async Task DeleteAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiError.NotFound();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Cards.Where(c => c.DatabaseId == id).ExecuteDeleteAsync(ct);
        db.Databases.Remove(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task SyncAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using (var db = await contexts.CreateDbContextAsync(ct))
            if (!await db.Databases.AnyAsync(d => d.Id == id, ct)) throw ApiError.NotFound();
        await SyncCoreAsync(id, ct);
    }

    public async Task<bool> ActionsEnabledAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Databases.Where(d => d.Id == id).Select(d => d.ActionsEnabled).FirstOrDefaultAsync(ct);
    }

    public async Task<DatabaseMetadataDto> MetadataAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiError.NotFound();
        // Ordinal, sorted here: the same order on every store provider whatever the database's collation.
        var tables = (await db.Tables.AsNoTracking().Where(t => t.DatabaseId == id && t.Active).ToListAsync(ct))
            .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        var tableIds = tables.Select(t => t.Id).ToList();
        var fields = (await db.Fields.AsNoTracking().Where(f => tableIds.Contains(f.TableId) && f.Active).OrderBy(f => f.Position).ToListAsync(ct))
            .ToLookup(f => f.TableId);
        var dto = ToDto(row, caller);
        return new DatabaseMetadataDto(dto.Id, dto.Name, dto.Engine, dto.Details, dto.Settings, dto.Features, dto.IsSample, dto.CreatedAt, dto.UpdatedAt,
            tables.Select(t => new TableDto(t.Id, t.DatabaseId, t.Name, t.Schema, t.DisplayName, fields[t.Id].Select(DatabaseMapping.ToDto).ToList())).ToList());
    }

    public async Task<TableDto> TableAsync(Caller caller, int tableId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var t = await db.Tables.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tableId && t.Active, ct) ?? throw ApiError.NotFound();
        var fields = await db.Fields.AsNoTracking().Where(f => f.TableId == tableId && f.Active).OrderBy(f => f.Position).ToListAsync(ct);
        return new TableDto(t.Id, t.DatabaseId, t.Name, t.Schema, t.DisplayName, fields.Select(DatabaseMapping.ToDto).ToList());
    }

    /// <summary><c>GET /api/table/:id</c>: an active table without its fields, with its database (details as the caller may see them).</summary>
    public async Task<TableWithDatabaseDto> TableWithDatabaseAsync(Caller caller, int tableId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var t = await db.Tables.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tableId && t.Active, ct) ?? throw ApiError.NotFound();
        var row = await db.Databases.AsNoTracking().FirstAsync(d => d.Id == t.DatabaseId, ct);
        return new TableWithDatabaseDto(DatabaseMapping.ToSummary(t), ToDto(row, caller));
    }

    /// <summary><c>GET /api/field/:id</c>: an active field of an active table, with that table.</summary>
    public async Task<FieldInTableDto> FieldAsync(int fieldId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var f = await db.Fields.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fieldId && f.Active, ct) ?? throw ApiError.NotFound();
        var t = await db.Tables.AsNoTracking().FirstOrDefaultAsync(t => t.Id == f.TableId && t.Active, ct) ?? throw ApiError.NotFound();
        return new FieldInTableDto(DatabaseMapping.ToDto(f), DatabaseMapping.ToSummary(t));
    }

    /// <summary>The sorted distinct schema names of the database's active tables (none on SQLite).</summary>
    public async Task<IReadOnlyList<string>> SchemasAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Databases.AnyAsync(d => d.Id == id, ct)) throw ApiError.NotFound();
        var schemas = await db.Tables.AsNoTracking().Where(t => t.DatabaseId == id && t.Active && t.Schema != null).Select(t => t.Schema!).Distinct().ToListAsync(ct);
        return [.. schemas.Order(StringComparer.Ordinal)];
    }

    /// <summary>The active tables of one schema, by name; 404 for a schema the database does not have.</summary>
    public async Task<IReadOnlyList<TableSummaryDto>> SchemaTablesAsync(int id, string schema, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Databases.AnyAsync(d => d.Id == id, ct)) throw ApiError.NotFound();
        var tables = await db.Tables.AsNoTracking().Where(t => t.DatabaseId == id && t.Active && t.Schema == schema).ToListAsync(ct);
        if (tables.Count == 0) throw ApiError.NotFound();
        return [.. tables.OrderBy(t => t.Name, StringComparer.Ordinal).Select(DatabaseMapping.ToSummary)];
    }

    public sealed record FieldChanges(string? DisplayName, string? VisibilityType, bool SemanticTypeGiven, string? SemanticType);

    public async Task<FieldDto> UpdateFieldAsync(Caller caller, int fieldId, FieldChanges changes, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var field = await db.Fields.FirstOrDefaultAsync(f => f.Id == fieldId, ct) ?? throw ApiError.NotFound();
        if (changes.DisplayName is { } name) field.DisplayName = name;
        if (changes.VisibilityType is { } visibility) field.VisibilityType = visibility;
        if (changes.SemanticTypeGiven) field.SemanticType = changes.SemanticType;
        await db.SaveChangesAsync(ct);
        return DatabaseMapping.ToDto(field);
    }

    private async Task TestAsync(IDatabaseEngine engine, string connectionString, CancellationToken ct)
    {
        try
        {
            await using var connection = await engine.OpenAsync(connectionString, ct);
            await engine.PrepareAsync(connection, ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ApiError)
        {
            // The driver's reason; drivers never put the password in it.
            logger.LogInformation("Connection test for a {Engine} database failed", engine.Name);
            throw new ExceptionError(400, engine.Describe(e));
        }
    }

    private async Task SyncCoreAsync(int id, CancellationToken ct)
    {
        var gate = _syncLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            SchemaSnapshot snapshot;
            try
            {
                var (engine, connection) = await connections.OpenAsync(id, ct);
                await using (connection) snapshot = await engine.ReadSchemaAsync(connection, ct);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                throw new ExceptionError(400, $"Could not read the schema: {e.Message}");
            }
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await SchemaSync.ApplyAsync(db, id, snapshot, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private static (JsonObject Details, string? Password) SplitPassword(JsonObject input)
    {
        var details = (JsonObject)input.DeepClone();
        string? password = null;
        if (details["password"] is JsonValue v && v.GetValueKind() == JsonValueKind.String) password = v.GetValue<string>();
        details.Remove("password");
        return (details, password);
    }

    private DatabaseDto ToDto(ConnectedDatabase row, Caller caller)
    {
        var details = JsonNode.Parse(row.DetailsJson) as JsonObject ?? [];
        // Connection details are for superusers; everyone else sees that a database exists, not where.
        if (!caller.IsSuperuser) details = [];
        else if (row.EncryptedPassword is not null || !engines.TryGet(row.Engine, out var engine) || engine.UsesPassword) details["password"] = DatabaseMapping.MaskedPassword;
        return new DatabaseDto(row.Id, row.Name, row.Engine, details, new DatabaseSettingsDto(row.ActionsEnabled),
            DatabaseMapping.Features, row.IsSample, row.CreatedAt, row.UpdatedAt);
    }
}
