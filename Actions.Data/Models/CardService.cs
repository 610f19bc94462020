using System.Data;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Actions.Data.Models;

/// <summary>Told, inside the card's own transaction, when a model stops being one or gains clauses.</summary>
public interface IModelLifecycle
{
    Task OnModelChangedAsync(AppDbContext db, Card card, bool becameQuestion, bool lostImplicitSupport, CancellationToken ct);
    Task OnCardDeletingAsync(AppDbContext db, int cardId, CancellationToken ct);
}

/// <summary>Saved questions and models, with collection permissions applied (read to see, write to change).</summary>
public sealed class CardService(IDbContextFactory<AppDbContext> contexts, CollectionService collections, DatabaseConnections connections,
    IEnumerable<IModelLifecycle> lifecycles, TimeProvider time, ILogger<CardService> logger)
{
    private readonly ConcurrentDictionary<(int, DateTime), IReadOnlyList<ResultColumnDto>> _nativeMetadata = new();

    public sealed record CardInput(string? Name, string? Type, JsonNode? DatasetQuery, CardQuery? Query, bool CollectionGiven, int? CollectionId,
        bool DescriptionGiven, string? Description, string? Display, bool VisualizationGiven, JsonNode? VisualizationSettings, bool? Archived);

    public async Task<CardDto> CreateAsync(Caller caller, CardInput input, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await RequireCollectionWriteAsync(db, caller, input.CollectionId, ct);
        await RequireQueryTargetsAsync(db, input.Query!, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var card = new Card
        {
            Name = input.Name!, Type = input.Type ?? Card.QuestionType, Description = input.Description,
            DatasetQueryJson = input.DatasetQuery!.ToJsonString(), CollectionId = input.CollectionId, CreatorId = caller.UserId > 0 ? caller.UserId : null,
            Display = input.Display ?? "table", VisualizationSettingsJson = input.VisualizationSettings?.ToJsonString(),
            CreatedAt = now, UpdatedAt = now,
        };
        Apply(card, input.Query!);
        db.Cards.Add(card);
        await db.SaveChangesAsync(ct);
        return await ToDtoAsync(db, card, ct);
    }

    public async Task<IReadOnlyList<CardDto>> ListAsync(Caller caller, bool archived, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cards = await db.Cards.AsNoTracking().Where(c => c.Archived == archived).OrderBy(c => c.Id).ToListAsync(ct);
        var result = new List<CardDto>();
        foreach (var card in cards)
            if (await collections.CanReadAsync(caller, card.CollectionId, ct)) result.Add(await ToDtoAsync(db, card, ct));
        return result;
    }

    /// <summary>The models (not archived) the caller may write to: where actions can be made, edited and archived.</summary>
    public async Task<IReadOnlyList<CardDto>> WritableModelsAsync(Caller caller, CancellationToken ct)
    {
        var result = new List<CardDto>();
        foreach (var card in await ListAsync(caller, false, ct))
            if (card.Type == Card.ModelType && await collections.CanWriteAsync(caller, card.CollectionId, ct)) result.Add(card);
        return result;
    }

    public async Task<CardDto> GetAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiError.NotFound();
        if (!await collections.CanReadAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        return await ToDtoAsync(db, card, ct);
    }

    /// <summary>Reads a card for the service layer (no permission check).</summary>
    public async Task<Card?> FindAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
    }

    public async Task<CardDto> UpdateAsync(Caller caller, int id, CardInput input, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var card = await db.Cards.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiError.NotFound();
        await RequireCollectionWriteAsync(db, caller, card.CollectionId, ct);
        if (input.CollectionGiven && input.CollectionId != card.CollectionId) await RequireCollectionWriteAsync(db, caller, input.CollectionId, ct);
        if (input.Query is not null) await RequireQueryTargetsAsync(db, input.Query, ct);

        var wasModel = card.Type == Card.ModelType;
        var supportedImplicit = wasModel && !card.IsNative && !card.HasClauses;
        if (input.Name is not null) card.Name = input.Name;
        if (input.Type is not null) card.Type = input.Type;
        if (input.DescriptionGiven) card.Description = input.Description;
        if (input.CollectionGiven) card.CollectionId = input.CollectionId;
        if (input.Display is not null) card.Display = input.Display;
        if (input.VisualizationGiven) card.VisualizationSettingsJson = input.VisualizationSettings?.ToJsonString();
        if (input.Archived is { } archived) card.Archived = archived;
        if (input.Query is not null)
        {
            card.DatasetQueryJson = input.DatasetQuery!.ToJsonString();
            Apply(card, input.Query);
        }
        card.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);

        var becameQuestion = wasModel && card.Type != Card.ModelType;
        var lostImplicit = supportedImplicit && (card.IsNative || card.HasClauses || becameQuestion);
        if (becameQuestion || lostImplicit)
            foreach (var lifecycle in lifecycles) await lifecycle.OnModelChangedAsync(db, card, becameQuestion, lostImplicit, ct);
        await tx.CommitAsync(ct);
        return await ToDtoAsync(db, card, ct);
    }

    /// <summary>Hard delete, with its actions.</summary>
    public async Task DeleteAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var card = await db.Cards.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiError.NotFound();
        await RequireCollectionWriteAsync(db, caller, card.CollectionId, ct);
        foreach (var lifecycle in lifecycles) await lifecycle.OnCardDeletingAsync(db, id, ct);
        db.Cards.Remove(card);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The columns of a card as the spec's <c>result_metadata</c>, computed now (follows syncs and field edits).</summary>
    public async Task<IReadOnlyList<ResultColumnDto>> ResultMetadataAsync(AppDbContext db, Card card, CancellationToken ct)
    {
        if (card.TableId is { } tableId)
        {
            var fields = await db.Fields.AsNoTracking()
                .Where(f => f.TableId == tableId && f.Active && f.VisibilityType == Visibility.Normal)
                .OrderBy(f => f.Position).ToListAsync(ct);
            return fields.Select(f => new ResultColumnDto(f.Name, f.DisplayName, f.BaseType, f.SemanticType, new JsonArray("field", f.Id, null), f.Id)).ToList();
        }
        if (_nativeMetadata.TryGetValue((card.Id, card.UpdatedAt), out var cached)) return cached;
        var columns = await NativeColumnsAsync(card, ct);
        _nativeMetadata[(card.Id, card.UpdatedAt)] = columns;
        return columns;
    }

    private async Task<IReadOnlyList<ResultColumnDto>> NativeColumnsAsync(Card card, CancellationToken ct)
    {
        var sql = (JsonNode.Parse(card.DatasetQueryJson)?["native"]?["query"])?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(sql)) return [];
        try
        {
            var (_, connection) = await connections.OpenAsync(card.DatabaseId, ct);
            await using (connection)
            {
                // Read the shape only, inside a transaction that is always rolled back: a native model never writes.
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = sql;
                await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, ct);
                var result = new List<ResultColumnDto>();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var name = reader.GetName(i);
                    result.Add(new ResultColumnDto(name, DatabaseMapping.Humanize(name), BaseTypeOf(reader.GetFieldType(i)), null, new JsonArray("field", name, null), null));
                }
                await reader.DisposeAsync();
                await tx.RollbackAsync(ct);
                return result;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogInformation("Could not read the columns of native card {CardId}: {Reason}", card.Id, e.GetType().Name);
            return [];
        }
    }

    private static string BaseTypeOf(Type? type) => type switch
    {
        null => BaseTypes.Unknown,
        _ when type == typeof(long) => BaseTypes.BigInteger,
        _ when type == typeof(int) || type == typeof(short) || type == typeof(byte) => BaseTypes.Integer,
        _ when type == typeof(decimal) => BaseTypes.Decimal,
        _ when type == typeof(double) || type == typeof(float) => BaseTypes.Float,
        _ when type == typeof(bool) => BaseTypes.Boolean,
        _ when type == typeof(string) => BaseTypes.Text,
        _ when type == typeof(DateOnly) => BaseTypes.Date,
        _ when type == typeof(DateTime) => BaseTypes.DateTime,
        _ when type == typeof(DateTimeOffset) => BaseTypes.DateTimeWithTZ,
        _ when type == typeof(TimeSpan) || type == typeof(TimeOnly) => BaseTypes.Time,
        _ when type == typeof(Guid) => BaseTypes.Uuid,
        _ => BaseTypes.Unknown,
    };

    internal async Task<CardDto> ToDtoAsync(AppDbContext db, Card card, CancellationToken ct) => new(
        card.Id, card.Name, card.Type, card.Description, JsonNode.Parse(card.DatasetQueryJson)!, card.DatabaseId, card.TableId,
        card.CollectionId, card.Archived, card.CreatorId, await CreatorAsync(db, card.CreatorId, ct), card.Display,
        card.VisualizationSettingsJson is null ? null : JsonNode.Parse(card.VisualizationSettingsJson),
        await ResultMetadataAsync(db, card, ct), [], card.CreatedAt, card.UpdatedAt);

    /// <summary>The card's creator (one query per user per context: a list of cards by one person asks once).</summary>
    private static async Task<CardCreatorDto?> CreatorAsync(AppDbContext db, int? id, CancellationToken ct) =>
        id is { } userId && await db.Users.FindAsync([userId], ct) is { } u && UserService.ToDto(u, []) is var user
            ? new CardCreatorDto(user.Id, user.Email, user.FirstName, user.LastName, user.CommonName)
            : null;

    private static void Apply(Card card, CardQuery query)
    {
        card.DatabaseId = query.DatabaseId;
        card.TableId = query.SourceTableId;
        card.IsNative = query.IsNative;
        card.HasClauses = query.HasClauses;
    }

    private async Task RequireCollectionWriteAsync(AppDbContext db, Caller caller, int? collectionId, CancellationToken ct)
    {
        if (collectionId is { } id && !await db.Collections.AnyAsync(c => c.Id == id, ct)) throw ApiError.NotFound();
        if (!await collections.CanWriteAsync(caller, collectionId, ct)) throw ApiError.Forbidden();
    }

    private static async Task RequireQueryTargetsAsync(AppDbContext db, CardQuery query, CancellationToken ct)
    {
        if (!await db.Databases.AnyAsync(d => d.Id == query.DatabaseId, ct))
            throw ValidationError.For("dataset_query", "value must name an existing database.", query.DatabaseId);
        if (query.SourceTableId is { } tableId && !await db.Tables.AnyAsync(t => t.Id == tableId && t.DatabaseId == query.DatabaseId && t.Active, ct))
            throw ValidationError.For("dataset_query", "value must name an existing table of that database.", tableId);
    }
}
