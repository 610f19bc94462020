using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Collections and the collection permission graph.</summary>
[Route("api/collection")]
public sealed class CollectionController(CollectionService collections) : ApiControllerBase
{
    [HttpGet]
    public async Task<IReadOnlyList<CollectionDto>> List(CancellationToken ct) => await collections.ListAsync(Caller, ct);

    [HttpGet("{id:int:min(0)}")]
    public async Task<CollectionDto> Get(int id, CancellationToken ct) => await collections.GetAsync(Caller, RouteId(id), ct);

    /// <summary>What a collection holds: <c>?models=card&amp;models=dataset</c> (or comma-separated) and <c>archived=true</c>.</summary>
    [HttpGet("root/items")]
    public Task<CollectionItemsDto> RootItems(CancellationToken ct) => ItemsAsync(null, ct);

    [HttpGet("{id:int:min(0)}/items")]
    public Task<CollectionItemsDto> Items(int id, CancellationToken ct) => ItemsAsync(RouteId(id), ct);

    private async Task<CollectionItemsDto> ItemsAsync(int? id, CancellationToken ct)
    {
        var models = SearchService.ParseModels(Request.Query["models"], CollectionService.ItemModels);
        return await collections.ItemsAsync(Caller, id, models, QueryFlag("archived"), ct);
    }

    /// <summary>Creates a collection: <c>{"name", "parent_id"?}</c>.</summary>
    [HttpPost]
    [RequestBody<CollectionBody>]
    public async Task<CollectionDto> Create(CancellationToken ct)
    {
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", required: true, nonBlank: true, maxLength: 254);
        var parentId = body.PositiveInt("parent_id");
        body.ThrowIfInvalid();
        return await collections.CreateAsync(Caller, name!.Trim(), parentId, ct);
    }

    /// <summary>Renames (<c>name</c>) or moves (<c>parent_id</c>, null for root) a collection.</summary>
    [HttpPut("{id:int:min(0)}")]
    [RequestBody<CollectionBody>]
    public async Task<CollectionDto> Update(int id, CancellationToken ct)
    {
        RouteId(id);
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", nonBlank: true, maxLength: 254);
        var parentId = body.PositiveInt("parent_id");
        body.ThrowIfInvalid();
        return await collections.UpdateAsync(Caller, id, name?.Trim(), body.Has("parent_id"), parentId, ct);
    }

    [HttpGet("graph")]
    public async Task<PermissionGraph> Graph(CancellationToken ct) => await collections.GraphAsync(Caller, ct);

    /// <summary>Changes any subset of the graph: <c>{"revision", "groups": {"&lt;group&gt;": {"root"|"&lt;id&gt;": level}}}</c>.</summary>
    [HttpPut("graph")]
    [RequestBody<PermissionGraphBody>]
    public async Task<PermissionGraph> UpdateGraph(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var revisionNode = body.Raw("revision");
        int? revision = null;
        if (revisionNode is not null)
        {
            if (revisionNode is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var r) && r >= 0) revision = r;
            else body.Errors.Add(["revision"], "integer greater than or equal to zero", revisionNode);
        }
        var groups = body.Map("groups", required: true);
        var changes = new Dictionary<int, IReadOnlyDictionary<string, string>>();
        foreach (var (groupKey, entries) in groups ?? [])
        {
            if (!int.TryParse(groupKey, out var groupId) || entries is not JsonObject map)
            {
                body.Errors.Add(["groups", groupKey], "map of collection id to permission", entries?.DeepClone());
                continue;
            }
            var levels = new Dictionary<string, string>();
            foreach (var (key, level) in map)
            {
                if (level is JsonValue lv && lv.GetValueKind() == JsonValueKind.String) levels[key] = lv.GetValue<string>();
                else body.Errors.Add(["groups", groupKey, key], "enum of write, read, none", level?.DeepClone());
            }
            changes[groupId] = levels;
        }
        body.ThrowIfInvalid();
        return await collections.UpdateGraphAsync(Caller, revision, changes, ct);
    }
}
