using System.Text.Json.Serialization;
using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>The collection a search result sits in (<c>"root"</c> for the root collection).</summary>
public sealed record SearchCollectionDto(object Id, string Name);

/// <summary>One result of <c>GET /api/search</c>, shaped as Metabase's.</summary>
public sealed record SearchItemDto(int Id, string Name, string? Description, string Model, SearchCollectionDto? Collection,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DatabaseId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TableId);

public sealed record SearchResultsDto(IReadOnlyList<SearchItemDto> Data, int Total, IReadOnlyList<string> Models);

/// <summary>
/// <c>GET /api/search?q=…&amp;models=…</c>: a case-insensitive name match over what the caller may see — readable
/// collections, their unarchived cards (<c>card</c>), models (<c>dataset</c>) and those models' actions, and every
/// database and active table (their metadata is open to any signed-in user).
/// </summary>
public sealed class SearchService(IDbContextFactory<AppDbContext> contexts, CollectionService collections)
{
    public static readonly string[] Models = ["collection", "card", "dataset", "action", "database", "table"];

    private static int ModelOrder(string model) => Array.IndexOf(Models, model);

    public async Task<SearchResultsDto> SearchAsync(Caller caller, string? q, IReadOnlyCollection<string> models, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        bool Wanted(string model) => models.Count == 0 || models.Contains(model);
        bool Matches(string name) => string.IsNullOrEmpty(q) || name.Contains(q, StringComparison.OrdinalIgnoreCase);
        var names = await db.Collections.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        SearchCollectionDto In(int? collectionId) =>
            collectionId is { } id ? new SearchCollectionDto(id, names[id]) : new SearchCollectionDto(CollectionService.RootKey, CollectionService.RootName);
        // Permission levels come from the collection service's cached snapshot: asking per item costs no query.
        Task<bool> CanReadAsync(int? id) => collections.CanReadAsync(caller, id, ct);

        var items = new List<SearchItemDto>();
        if (Wanted("collection"))
            foreach (var c in await db.Collections.AsNoTracking().ToListAsync(ct))
                if (Matches(c.Name) && await CanReadAsync(c.Id)) items.Add(new SearchItemDto(c.Id, c.Name, null, "collection", In(c.ParentId), null, null));
        var cards = (await db.Cards.AsNoTracking().Where(c => !c.Archived).ToListAsync(ct)).ToDictionary(c => c.Id);
        foreach (var card in cards.Values)
        {
            var model = Actions.Data.Models.Card.ItemModelOf(card);
            if (Wanted(model) && Matches(card.Name) && await CanReadAsync(card.CollectionId))
                items.Add(new SearchItemDto(card.Id, card.Name, card.Description, model, In(card.CollectionId), card.DatabaseId, card.TableId));
        }
        if (Wanted("action"))
            foreach (var a in await db.Actions.AsNoTracking().Where(a => !a.Archived).ToListAsync(ct))
                if (Matches(a.Name) && cards.TryGetValue(a.ModelId, out var owner) && await CanReadAsync(owner.CollectionId))
                    items.Add(new SearchItemDto(a.Id, a.Name, a.Description, "action", In(owner.CollectionId), owner.DatabaseId, null));
        if (Wanted("database"))
            foreach (var d in await db.Databases.AsNoTracking().ToListAsync(ct))
                if (Matches(d.Name)) items.Add(new SearchItemDto(d.Id, d.Name, null, "database", null, d.Id, null));
        if (Wanted("table"))
            foreach (var t in await db.Tables.AsNoTracking().Where(t => t.Active).ToListAsync(ct))
                if (Matches(t.Name) || Matches(t.DisplayName)) items.Add(new SearchItemDto(t.Id, t.DisplayName, null, "table", null, t.DatabaseId, t.Id));
        var sorted = items.OrderByName(i => i.Name).ThenBy(i => ModelOrder(i.Model)).ThenBy(i => i.Id).ToList();
        return new SearchResultsDto(sorted, sorted.Count, [.. Models.Where(m => sorted.Any(i => i.Model == m))]);
    }

    /// <summary>The <c>models</c> query values (repeated or comma-separated) among <paramref name="allowed"/>; another kind is a validation 400.</summary>
    public static IReadOnlyCollection<string> ParseModels(IEnumerable<string?> values, IReadOnlyList<string> allowed)
    {
        var models = values.SelectMany(m => (m ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (models.FirstOrDefault(m => !allowed.Contains(m)) is { } unknown)
            throw ValidationError.For("models", "enum of " + string.Join(", ", allowed), unknown);
        return models;
    }
}
