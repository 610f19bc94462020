using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>
/// Collections and the collection permission graph. A caller may read a collection when any of their groups
/// has read or write on it, write when any has write; superusers may do everything.
/// </summary>
public sealed class CollectionService(IDbContextFactory<AppDbContext> contexts, TimeProvider time, DefinitionCache cache)
{
    /// <summary>Every group's level on root and on each collection, read once and kept until something changes.</summary>
    private sealed record PermissionSnapshot(Dictionary<int, string> Root, Dictionary<(int Group, int Collection), string> Levels);

    private ValueTask<PermissionSnapshot> SnapshotAsync(CancellationToken ct) => cache.GetOrLoadAsync(new DefinitionCache.Key("permissions"), (contexts, ct), static async s =>
    {
        var (contexts, ct) = s;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var root = await db.PermissionGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.RootPermission, ct);
        var levels = (await db.CollectionPermissions.AsNoTracking().ToListAsync(ct)).ToDictionary(p => (p.GroupId, p.CollectionId), p => p.Level);
        return new PermissionSnapshot(root, levels);
    });

    public const string RootKey = "root";
    public const string RootName = "Our analytics";
    public const string StaleGraphMessage =
        "Looks like someone else edited the permissions and your data is out of date. Please fetch new data and try again.";

    /// <summary>The caller's level on a collection (<c>null</c> = root): write, read or none.</summary>
    public async Task<string> LevelAsync(Caller caller, int? collectionId, CancellationToken ct)
    {
        if (caller.IsSuperuser) return PermissionLevel.Write;
        var snapshot = await SnapshotAsync(ct);
        var best = PermissionLevel.None;
        foreach (var group in caller.GroupIds)
        {
            var level = collectionId is { } id
                ? snapshot.Levels.GetValueOrDefault((group, id), PermissionLevel.None)
                : snapshot.Root.GetValueOrDefault(group, PermissionLevel.None);
            if (PermissionLevel.Rank(level) > PermissionLevel.Rank(best)) best = level;
        }
        return best;
    }

    public async Task<bool> CanReadAsync(Caller caller, int? collectionId, CancellationToken ct) =>
        await LevelAsync(caller, collectionId, ct) != PermissionLevel.None;

    public async Task<bool> CanWriteAsync(Caller caller, int? collectionId, CancellationToken ct) =>
        await LevelAsync(caller, collectionId, ct) == PermissionLevel.Write;

    public async Task<IReadOnlyList<CollectionDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var result = new List<CollectionDto>();
        var root = await LevelAsync(caller, null, ct);
        if (root != PermissionLevel.None) result.Add(new CollectionDto(RootKey, RootName, "/", null, root == PermissionLevel.Write));
        // Sorted here, not by the database: the same order on every store provider (NameOrder).
        var collections = (await db.Collections.AsNoTracking().ToListAsync(ct)).OrderBy(c => c.Location, StringComparer.Ordinal).ThenByName(c => c.Name);
        foreach (var c in collections)
        {
            var level = await LevelAsync(caller, c.Id, ct);
            if (level != PermissionLevel.None) result.Add(ToDto(c, level == PermissionLevel.Write));
        }
        return result;
    }

    /// <summary>The kinds of collection items, as Metabase names them.</summary>
    public static readonly IReadOnlyList<string> ItemModels = ["collection", "card", "dataset", "action"];

    /// <summary>
    /// <c>GET /api/collection/:id/items</c> (<paramref name="id"/> null = root): the readable child collections, the
    /// cards and models in it and the actions of those models, archived ones instead when <paramref name="archived"/>;
    /// <paramref name="models"/> (empty = all) keeps those kinds. Collections first, then by name.
    /// </summary>
    public async Task<CollectionItemsDto> ItemsAsync(Caller caller, int? id, IReadOnlyCollection<string> models, bool archived, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (id is { } collectionId && !await db.Collections.AnyAsync(c => c.Id == collectionId, ct)) throw ApiError.NotFound();
        if (!await CanReadAsync(caller, id, ct)) throw ApiError.Forbidden();
        bool Wanted(string model) => models.Count == 0 || models.Contains(model);
        var items = new List<CollectionItemDto>();
        if (Wanted("collection") && !archived)
            foreach (var child in await db.Collections.AsNoTracking().Where(c => c.ParentId == id).ToListAsync(ct))
                if (await CanReadAsync(caller, child.Id, ct)) items.Add(new CollectionItemDto(child.Id, child.Name, null, "collection", id));
        var cards = await db.Cards.AsNoTracking().Where(c => c.CollectionId == id).ToListAsync(ct);
        foreach (var card in cards.Where(c => c.Archived == archived))
        {
            var model = Models.Card.ItemModelOf(card);
            if (Wanted(model)) items.Add(new CollectionItemDto(card.Id, card.Name, card.Description, model, id));
        }
        if (Wanted("action"))
        {
            var modelIds = cards.Select(c => c.Id).ToList();
            foreach (var action in await db.Actions.AsNoTracking().Where(a => modelIds.Contains(a.ModelId) && a.Archived == archived).ToListAsync(ct))
                items.Add(new CollectionItemDto(action.Id, action.Name, action.Description, "action", id));
        }
        var sorted = items.OrderBy(i => i.Model == "collection" ? 0 : 1).ThenByName(i => i.Name).ThenBy(i => i.Id).ToList();
        return new CollectionItemsDto(sorted, sorted.Count, [.. ItemModels.Where(m => sorted.Any(i => i.Model == m))]);
    }

    public async Task<CollectionDto> GetAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var c = await db.Collections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiError.NotFound();
        var level = await LevelAsync(caller, id, ct);
        if (level == PermissionLevel.None) throw ApiError.Forbidden();
        return ToDto(c, level == PermissionLevel.Write);
    }

    /// <summary>Creates a collection under <paramref name="parentId"/> (root when null); it starts with a copy of the parent's permissions.</summary>
    public async Task<CollectionDto> CreateAsync(Caller caller, string name, int? parentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var parent = parentId is null ? null
            : await db.Collections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == parentId, ct) ?? throw ApiError.NotFound();
        if (!caller.IsSuperuser && await LevelAsync(caller, parentId, ct) != PermissionLevel.Write)
            throw ApiError.Forbidden();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var collection = new Collection
        {
            Name = name, ParentId = parentId, CreatedAt = time.GetUtcNow().UtcDateTime,
            Location = parent is null ? "/" : $"{parent.Location}{parent.Id}/",
        };
        db.Collections.Add(collection);
        await db.SaveChangesAsync(ct);
        if (parent is null)
        {
            foreach (var g in await db.PermissionGroups.AsNoTracking().ToListAsync(ct))
                db.CollectionPermissions.Add(new CollectionPermission { GroupId = g.Id, CollectionId = collection.Id, Level = g.RootPermission });
        }
        else
        {
            foreach (var p in await db.CollectionPermissions.AsNoTracking().Where(p => p.CollectionId == parent.Id).ToListAsync(ct))
                db.CollectionPermissions.Add(new CollectionPermission { GroupId = p.GroupId, CollectionId = collection.Id, Level = p.Level });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(collection, true);
    }

    /// <summary>Renames or moves a collection (write on it, and on the new parent when moving).</summary>
    public async Task<CollectionDto> UpdateAsync(Caller caller, int id, string? name, bool moveGiven, int? newParentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var collection = await db.Collections.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiError.NotFound();
        if (!caller.IsSuperuser && await LevelAsync(caller, id, ct) != PermissionLevel.Write) throw ApiError.Forbidden();
        if (name is not null) collection.Name = name;
        if (moveGiven && newParentId != collection.ParentId)
        {
            var parent = newParentId is null ? null
                : await db.Collections.FirstOrDefaultAsync(c => c.Id == newParentId, ct) ?? throw ApiError.NotFound();
            if (!caller.IsSuperuser && await LevelAsync(caller, newParentId, ct) != PermissionLevel.Write) throw ApiError.Forbidden();
            var newLocation = parent is null ? "/" : $"{parent.Location}{parent.Id}/";
            if (newLocation.Contains($"/{id}/", StringComparison.Ordinal) || newParentId == id)
                throw ApiError.BadRequest("A collection cannot be moved into itself or one of its descendants.");
            var oldPrefix = $"{collection.Location}{id}/";
            var newPrefix = $"{newLocation}{id}/";
            foreach (var d in await db.Collections.Where(c => c.Location.StartsWith(oldPrefix)).ToListAsync(ct))
                d.Location = newPrefix + d.Location[oldPrefix.Length..];
            collection.ParentId = newParentId;
            collection.Location = newLocation;
        }
        await db.SaveChangesAsync(ct);
        return ToDto(collection, true);
    }

    public async Task<PermissionGraph> GraphAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await GraphCoreAsync(db, ct);
    }

    /// <summary>
    /// Applies any subset of a graph. <paramref name="revision"/>, when given, must be the current one (409 otherwise).
    /// </summary>
    public async Task<PermissionGraph> UpdateGraphAsync(Caller caller, int? revision,
        IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>> changes, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var current = await db.PermissionGraphRevisions.MaxAsync(r => (int?)r.Id, ct) ?? 0;
        if (revision is { } r && r != current) throw new PlainError(409, StaleGraphMessage);
        var groups = await db.PermissionGroups.ToDictionaryAsync(g => g.Id, ct);
        var collectionIds = (await db.Collections.Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var errors = new ValidationErrors();
        foreach (var (groupId, entries) in changes)
        {
            if (!groups.ContainsKey(groupId)) errors.Add(["groups", groupId.ToString()], "an existing group id", groupId);
            foreach (var (key, level) in entries)
            {
                if (!PermissionLevel.IsValid(level)) errors.Add(["groups", groupId.ToString(), key], "enum of write, read, none", level);
                else if (key != RootKey && !(int.TryParse(key, out var cid) && collectionIds.Contains(cid)))
                    errors.Add(["groups", groupId.ToString(), key], "an existing collection id or root", key);
            }
        }
        errors.ThrowIfAny();
        foreach (var (groupId, entries) in changes)
        {
            foreach (var (key, level) in entries)
            {
                if (key == RootKey)
                {
                    groups[groupId].RootPermission = level;
                    continue;
                }
                var cid = int.Parse(key);
                var row = await db.CollectionPermissions.FirstOrDefaultAsync(p => p.GroupId == groupId && p.CollectionId == cid, ct);
                if (row is null) db.CollectionPermissions.Add(new CollectionPermission { GroupId = groupId, CollectionId = cid, Level = level });
                else row.Level = level;
            }
        }
        db.PermissionGraphRevisions.Add(new PermissionGraphRevision { UserId = caller.UserId, CreatedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await GraphCoreAsync(db, ct);
    }

    private static async Task<PermissionGraph> GraphCoreAsync(AppDbContext db, CancellationToken ct)
    {
        var revision = await db.PermissionGraphRevisions.MaxAsync(r => (int?)r.Id, ct) ?? 0;
        var groups = await db.PermissionGroups.AsNoTracking().OrderBy(g => g.Id).ToListAsync(ct);
        var collections = await db.Collections.AsNoTracking().Select(c => c.Id).OrderBy(c => c).ToListAsync(ct);
        var rows = (await db.CollectionPermissions.AsNoTracking().ToListAsync(ct)).ToDictionary(p => (p.GroupId, p.CollectionId), p => p.Level);
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var g in groups)
        {
            var entries = new Dictionary<string, string> { [RootKey] = g.RootPermission };
            foreach (var c in collections) entries[c.ToString()] = rows.GetValueOrDefault((g.Id, c), PermissionLevel.None);
            result[g.Id.ToString()] = entries;
        }
        return new PermissionGraph(revision, result);
    }

    private static CollectionDto ToDto(Collection c, bool canWrite) => new(c.Id, c.Name, c.Location, c.ParentId, canWrite);
}
