using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Errors;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Data.Security;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// Actions: create, read, update, delete, lists and public links, with the checks of actions-api.md in the
/// order the spec gives (that order decides which error wins).
/// </summary>
public sealed class ActionService(IDbContextFactory<AppDbContext> contexts, CollectionService collections,
    SettingService settings, DefinitionCache cache, TimeProvider time) : IModelLifecycle
{
    public const string NotEnabledMessage = "Actions are not enabled.";
    public const string SharingDisabledMessage = "Public sharing is not enabled.";

    /// <summary>
    /// An unarchived action as listed: its read model, and its JSON without <c>creator</c> and without its closing
    /// brace, as UTF-8, both kept until a definition changes (a list is written from these bytes, never built as one
    /// big string).
    /// </summary>
    private sealed record Listed(ActionDetails Details, byte[] Json);

    private ValueTask<List<Listed>> CachedListAsync(CancellationToken ct) => cache.GetOrLoadAsync(new DefinitionCache.Key("action-list"), ct, async ct =>
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var actions = await WithParts(db.Actions.AsNoTracking()).Where(a => !a.Archived)
            .OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id).ToListAsync(ct);
        var models = new Dictionary<int, ModelContext>();
        foreach (var cardId in actions.Select(a => a.ModelId).Distinct())
            models[cardId] = await LoadModelAsync(db, await db.Cards.AsNoTracking().FirstAsync(c => c.Id == cardId, ct), ct);
        return actions.Select(a =>
        {
            var details = ActionDetails.Read(a, models[a.ModelId]);
            return new Listed(details, JsonSerializer.SerializeToUtf8Bytes(details, ActionShapes.JsonOptions)[..^1]);
        }).ToList();
    });

    /// <summary>
    /// Writes the actions of one model (any type, with creator), or of every readable unarchived model, as a JSON
    /// array: the read shapes are cached as UTF-8, so a list is a filter and a copy.
    /// </summary>
    public async Task WriteListAsync(Caller caller, int? modelId, PipeWriter output, CancellationToken ct)
    {
        var listed = await ListedAsync(caller, modelId, ct);
        Dictionary<int, UserDto> creators;
        await using (var db = await contexts.CreateDbContextAsync(ct)) creators = await CreatorsAsync(db, listed.Select(a => a.Details.CreatorId), ct);
        var creatorJson = creators.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToUtf8Bytes(p.Value, ActionShapes.JsonOptions));
        output.Write("["u8);
        for (var i = 0; i < listed.Count; i++)
        {
            if (i > 0) output.Write(","u8);
            var a = listed[i];
            output.Write(a.Json);
            output.Write(",\"creator\":"u8);
            output.Write(a.Details.CreatorId is { } c && creatorJson.TryGetValue(c, out var u) ? (ReadOnlySpan<byte>)u : "null"u8);
            output.Write("}"u8);
            if (i % 256 == 255) await output.FlushAsync(ct);
        }
        output.Write("]"u8);
        await output.FlushAsync(ct);
    }

    /// <summary>
    /// The same list as read models, without <c>creator</c> (for the browser pages). The records are shared with the
    /// list cache: their JSON-valued keys are for reading only.
    /// </summary>
    public async Task<IReadOnlyList<ActionDetails>> ListAsync(Caller caller, int? modelId, CancellationToken ct) =>
        (await ListedAsync(caller, modelId, ct)).Select(a => a.Details).ToList();

    /// <summary>The cached unarchived actions of one model, or of every unarchived model, that the caller may read.</summary>
    private async Task<List<Listed>> ListedAsync(Caller caller, int? modelId, CancellationToken ct)
    {
        HashSet<int> readable;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (modelId is { } id)
            {
                var card = await db.Cards.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.CollectionId }).FirstOrDefaultAsync(ct)
                           ?? throw ApiError.NotFound();
                if (!await collections.CanReadAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
                readable = [id];
            }
            else
            {
                readable = [];
                foreach (var card in await db.Cards.AsNoTracking().Where(c => !c.Archived).Select(c => new { c.Id, c.CollectionId }).ToListAsync(ct))
                    if (await collections.CanReadAsync(caller, card.CollectionId, ct)) readable.Add(card.Id);
            }
        }
        return (await CachedListAsync(ct)).Where(a => readable.Contains(a.Details.ModelId)).ToList();
    }

    /// <summary>Archived actions of the models the caller may read (the browser list's "archived" filter).</summary>
    public async Task<IReadOnlyList<ActionDetails>> ListArchivedAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var actions = await WithParts(db.Actions.AsNoTracking()).Where(a => a.Archived).OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id).ToListAsync(ct);
        var result = new List<ActionDetails>();
        var models = new Dictionary<int, ModelContext>();
        foreach (var action in actions)
        {
            if (!models.TryGetValue(action.ModelId, out var model))
                models[action.ModelId] = model = await LoadModelAsync(db, await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct), ct);
            if (await collections.CanReadAsync(caller, model.Card.CollectionId, ct)) result.Add(ActionDetails.Read(action, model));
        }
        return result;
    }

    /// <summary>Unarchived actions with a public link (superuser, public sharing on).</summary>
    public async Task<IReadOnlyList<PublicActionLink>> ListPublicAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await RequireSharingAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Actions.AsNoTracking().Where(a => !a.Archived && a.PublicUuid != null)
            .OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id)
            .Select(a => new PublicActionLink(a.Id, a.Name, a.PublicUuid!.Value, a.ModelId)).ToListAsync(ct);
    }

    /// <summary>An unarchived action the caller may read, with its creator.</summary>
    public async Task<ActionDetails> GetAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await FindAsync(db, id, ct);
        if (action is null || action.Archived) throw ApiError.NotFound();
        var model = await ModelOfAsync(db, action, ct);
        if (!await collections.CanReadAsync(caller, model.Card.CollectionId, ct)) throw ApiError.Forbidden();
        var creators = await CreatorsAsync(db, [action.CreatorId], ct);
        return ActionDetails.Read(action, model, action.CreatorId is { } c && creators.TryGetValue(c, out var u) ? u : null);
    }

    /// <summary>Creates an action (the checks of POST /api/action from step 2) → the action as read back, without creator.</summary>
    public async Task<ActionDetails> CreateAsync(Caller caller, ActionInput input, CancellationToken ct)
    {
        // 2. What the chosen type needs.
        RequireTypeKeys(input.Type!, input, creating: true);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // 3-6. The model: exists, writable, a model, fit for implicit actions, actions enabled.
        var card = await RequireWritableModelAsync(db, caller, input.ModelId!.Value, ct);
        RequireSecretAuthor(caller, input.Template);
        if (input.Type == ActionDefinition.ImplicitType) RequireImplicitSupport(card);
        await RequireEnabledAsync(db, card.DatabaseId, ct);
        if (input.DatabaseId is { } databaseId && databaseId != card.DatabaseId) await RequireEnabledAsync(db, databaseId, ct);

        var now = time.GetUtcNow().UtcDateTime;
        var action = new ActionDefinition
        {
            Name = input.Name!, Description = input.Description, Type = input.Type!, ModelId = card.Id,
            ParametersJson = input.Parameters?.ToJsonString(), ParameterMappingsJson = input.ParameterMappings?.ToJsonString(),
            VisualizationSettingsJson = input.VisualizationSettings?.ToJsonString(), Archived = input.Archived ?? false,
            CreatorId = caller.UserId > 0 ? caller.UserId : null, EntityId = Tokens.NewEntityId(), CreatedAt = now, UpdatedAt = now,
        };
        SetTypePart(action, input);
        // 7. The action and its type row in one transaction (one SaveChanges).
        db.Actions.Add(action);
        await db.SaveChangesAsync(ct);
        return ActionDetails.Read(action, await LoadModelAsync(db, card, ct));
    }

    /// <summary>Changes an action (the checks of PUT /api/action/:id after validation) → the action re-read, without creator.</summary>
    public async Task<ActionDetails> UpdateAsync(Caller caller, int id, ActionInput input, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var action = await FindAsync(db, id, ct, tracking: true) ?? throw ApiError.NotFound();
        // A type change needs the new type's keys in the same body (a validation error, so it comes first).
        var newType = input.Type ?? action.Type;
        if (newType != action.Type) RequireTypeKeys(newType, input, creating: false);
        var card = await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct);
        await RequireEnabledAsync(db, card.DatabaseId, ct);
        if (!await collections.CanWriteAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        RequireSecretAuthor(caller, input.Template, action.Http?.TemplateJson);
        if (input.ModelId is { } newModelId && newModelId != action.ModelId)
        {
            card = await RequireWritableModelAsync(db, caller, newModelId, ct);
            action.ModelId = card.Id;
        }
        if (newType == ActionDefinition.ImplicitType && (newType != action.Type || input.ModelId is not null)) RequireImplicitSupport(card);

        if (input.Name is not null) action.Name = input.Name;
        if (input.Has("description")) action.Description = input.Description;
        if (input.Has("parameters")) action.ParametersJson = input.Parameters?.ToJsonString();
        if (input.Has("parameter_mappings")) action.ParameterMappingsJson = input.ParameterMappings?.ToJsonString();
        if (input.Has("visualization_settings")) action.VisualizationSettingsJson = input.VisualizationSettings?.ToJsonString();
        if (input.Archived is { } archived) action.Archived = archived;
        if (newType != action.Type)
        {
            // The old type's row is replaced by the new one.
            if (action.Query is not null) db.QueryActions.Remove(action.Query);
            if (action.Implicit is not null) db.ImplicitActions.Remove(action.Implicit);
            if (action.Http is not null) db.HttpActions.Remove(action.Http);
            action.Query = null;
            action.Implicit = null;
            action.Http = null;
            action.Type = newType;
            SetTypePart(action, input);
        }
        else
        {
            UpdateTypePart(action, input);
        }
        action.UpdatedAt = NextTimestamp(action.UpdatedAt);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ActionDetails.Read(action, await LoadModelAsync(db, card, ct));
    }

    /// <summary>The editor's draft of a saved action (read permission, as GET).</summary>
    public async Task<ActionDraft> GetDraftAsync(Caller caller, int id, CancellationToken ct) => ActionDraft.Of(await GetAsync(caller, id, ct));

    /// <summary>
    /// Saves the editor's draft: creates the action (<paramref name="id"/> null) or updates it, with the same checks
    /// as POST and PUT. A query action runs on its model's database. Returns the saved action's id and its draft.
    /// </summary>
    public async Task<(int Id, ActionDraft Saved)> SaveDraftAsync(Caller caller, int? id, ActionDraft draft, CancellationToken ct)
    {
        var input = await DraftInputAsync(draft, creating: id is null, ct);
        var saved = id is { } existing ? await UpdateAsync(caller, existing, input, ct) : await CreateAsync(caller, input, ct);
        return (saved.Id, ActionDraft.Of(saved));
    }

    /// <summary>The fields an implicit action of <paramref name="kind"/> on a model gets, before it is saved (read permission on the model).</summary>
    public async Task<IReadOnlyList<DraftField>> ImplicitFieldsAsync(Caller caller, int modelId, string kind, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == modelId, ct) ?? throw ApiError.NotFound();
        if (!await collections.CanReadAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        if (card.IsNative || card.HasClauses || card.TableId is null) return [];
        var action = new ActionDefinition { Type = ActionDefinition.ImplicitType, ModelId = card.Id, Implicit = new ImplicitActionPart { Kind = kind } };
        var details = ActionDetails.Read(action, await LoadModelAsync(db, card, ct));
        return ActionDraft.FieldsOf(details.Parameters, details.VisualizationSettings);
    }

    /// <summary>
    /// A draft as an action that is never stored, for a test run from the editor: the checks of saving it (validation,
    /// a writable model, secrets only from superusers, implicit support) without saving. An existing action's draft
    /// needs write permission on the action's model too.
    /// </summary>
    internal async Task<(ActionDefinition Action, ModelContext Model)> DraftDefinitionAsync(Caller caller, int? id, ActionDraft draft, CancellationToken ct)
    {
        var input = await DraftInputAsync(draft, creating: true, ct);
        RequireTypeKeys(input.Type!, input, creating: true);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (id is { } existing)
        {
            var saved = await FindAsync(db, existing, ct) ?? throw ApiError.NotFound();
            var savedCard = await db.Cards.AsNoTracking().FirstAsync(c => c.Id == saved.ModelId, ct);
            if (!await collections.CanWriteAsync(caller, savedCard.CollectionId, ct)) throw ApiError.Forbidden();
        }
        var card = await RequireWritableModelAsync(db, caller, input.ModelId!.Value, ct);
        RequireSecretAuthor(caller, input.Template);
        if (input.Type == ActionDefinition.ImplicitType) RequireImplicitSupport(card);
        var action = new ActionDefinition
        {
            // Never stored: a negative id of its own keeps it apart from every saved version in the runners' caches.
            Id = -(int)(Interlocked.Increment(ref _draftRuns) & int.MaxValue), Name = input.Name!, Description = input.Description, Type = input.Type!,
            ModelId = card.Id, ParametersJson = input.Parameters?.ToJsonString(), ParameterMappingsJson = input.ParameterMappings?.ToJsonString(),
            VisualizationSettingsJson = input.VisualizationSettings?.ToJsonString(), UpdatedAt = time.GetUtcNow().UtcDateTime,
        };
        SetTypePart(action, input);
        return (action, await LoadModelAsync(db, card, ct));
    }

    private static long _draftRuns;

    /// <summary>A draft as a validated request body; a query action gets its model's database.</summary>
    private async Task<ActionInput> DraftInputAsync(ActionDraft draft, bool creating, CancellationToken ct)
    {
        int? databaseId = null;
        if (draft.ModelId is { } modelId && draft.Type == ActionDefinition.QueryType)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            databaseId = await db.Cards.AsNoTracking().Where(c => c.Id == modelId).Select(c => (int?)c.DatabaseId).FirstOrDefaultAsync(ct);
        }
        return ActionInput.Validate(new RequestBody(draft.ToRequestBody(databaseId)), creating);
    }

    /// <summary>The implicit actions "Create basic actions" makes for a model, by kind, with the verb of their names.</summary>
    public static readonly IReadOnlyList<(string Kind, string Verb)> BasicActionKinds = [("row/create", "Create"), ("row/update", "Update"), ("row/delete", "Delete")];

    /// <summary>"Create the basic actions for this model": the implicit create, update and delete actions it lacks, in one call.</summary>
    public async Task<IReadOnlyList<ActionDetails>> CreateBasicActionsAsync(Caller caller, int modelId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var card = await RequireWritableModelAsync(db, caller, modelId, ct);
        RequireImplicitSupport(card);
        await RequireEnabledAsync(db, card.DatabaseId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        // Only the kinds the model lacks (among its unarchived actions): asked twice, nothing is made twice.
        var existing = await db.Actions.AsNoTracking().Where(a => a.ModelId == card.Id && !a.Archived && a.Implicit != null)
            .Select(a => a.Implicit!.Kind).ToListAsync(ct);
        var created = new List<ActionDefinition>();
        foreach (var (kind, verb) in BasicActionKinds.Where(k => !existing.Contains(k.Kind)))
        {
            var action = new ActionDefinition
            {
                Name = $"{verb} {card.Name}", Type = ActionDefinition.ImplicitType, ModelId = card.Id,
                CreatorId = caller.UserId > 0 ? caller.UserId : null, EntityId = Tokens.NewEntityId(), CreatedAt = now, UpdatedAt = now,
                Implicit = new ImplicitActionPart { Kind = kind },
                VisualizationSettingsJson = new JsonObject { ["type"] = "form", ["name"] = $"{verb} {card.Name}" }.ToJsonString(),
            };
            db.Actions.Add(action);
            created.Add(action);
        }
        await db.SaveChangesAsync(ct);
        var model = await LoadModelAsync(db, card, ct);
        return created.Select(a => ActionDetails.Read(a, model)).ToList();
    }

    public async Task DeleteAsync(Caller caller, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await db.Actions.FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw ApiError.NotFound();
        var card = await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct);
        if (!await collections.CanWriteAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        db.Actions.Remove(action);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Makes (or returns the existing) public link: superuser → sharing on → unarchived action → actions enabled.</summary>
    public async Task<Guid> CreatePublicLinkAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await RequireSharingAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await db.Actions.FirstOrDefaultAsync(a => a.Id == id && !a.Archived, ct) ?? throw ApiError.NotFound();
        var card = await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct);
        await RequireEnabledAsync(db, card.DatabaseId, ct);
        if (action.PublicUuid is { } existing) return existing;
        action.PublicUuid = Guid.NewGuid();
        action.MadePublicById = caller.UserId > 0 ? caller.UserId : null;
        await db.SaveChangesAsync(ct);
        return action.PublicUuid.Value;
    }

    public async Task DeletePublicLinkAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await RequireSharingAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var action = await db.Actions.FirstOrDefaultAsync(a => a.Id == id && !a.Archived && a.PublicUuid != null, ct) ?? throw ApiError.NotFound();
        var card = await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct);
        await RequireEnabledAsync(db, card.DatabaseId, ct);
        action.PublicUuid = null;
        action.MadePublicById = null;
        await db.SaveChangesAsync(ct);
    }

    // --- model lifecycle (called by CardService inside the card's transaction) ---

    public async Task OnModelChangedAsync(AppDbContext db, Card card, bool becameQuestion, bool lostImplicitSupport, CancellationToken ct)
    {
        if (becameQuestion || lostImplicitSupport)
            await db.Actions.Where(a => a.ModelId == card.Id && a.Type == ActionDefinition.ImplicitType).ExecuteDeleteAsync(ct);
        if (becameQuestion)
            await db.Actions.Where(a => a.ModelId == card.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Archived, true), ct);
    }

    public Task OnCardDeletingAsync(AppDbContext db, int cardId, CancellationToken ct) =>
        db.Actions.Where(a => a.ModelId == cardId).ExecuteDeleteAsync(ct);

    // --- shared helpers (also used by execution) ---

    internal static IQueryable<ActionDefinition> WithParts(IQueryable<ActionDefinition> q) =>
        q.Include(a => a.Query).Include(a => a.Implicit).Include(a => a.Http);

    internal static Task<ActionDefinition?> FindAsync(AppDbContext db, int id, CancellationToken ct, bool tracking = false)
    {
        var q = WithParts(db.Actions);
        if (!tracking) q = q.AsNoTracking();
        return q.FirstOrDefaultAsync(a => a.Id == id, ct);
    }

    internal static async Task<ModelContext> ModelOfAsync(AppDbContext db, ActionDefinition action, CancellationToken ct) =>
        await LoadModelAsync(db, await db.Cards.AsNoTracking().FirstAsync(c => c.Id == action.ModelId, ct), ct);

    internal static async Task<ModelContext> LoadModelAsync(AppDbContext db, Card card, CancellationToken ct)
    {
        if (card.TableId is not { } tableId) return new ModelContext(card, [], null, []);
        var table = await db.Tables.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tableId, ct);
        var fields = await db.Fields.AsNoTracking().Where(f => f.TableId == tableId && f.Active).OrderBy(f => f.Position).ToListAsync(ct);
        return new ModelContext(card, ImplicitParameters.Eligible(fields), table, fields);
    }

    internal static async Task RequireEnabledAsync(AppDbContext db, int databaseId, CancellationToken ct)
    {
        if (!await db.Databases.AnyAsync(d => d.Id == databaseId && d.ActionsEnabled, ct)) throw NotEnabled(databaseId);
    }

    public static ExceptionError NotEnabled(int databaseId) =>
        new(400, NotEnabledMessage, data: new Dictionary<string, JsonNode?> { ["database-id"] = databaseId });

    internal async Task RequireSharingAsync(CancellationToken ct)
    {
        if (!await settings.PublicSharingEnabledAsync(ct)) throw ApiError.BadRequest(SharingDisabledMessage);
    }

    private async Task<Card> RequireWritableModelAsync(AppDbContext db, Caller caller, int modelId, CancellationToken ct)
    {
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == modelId, ct) ?? throw ApiError.NotFound();
        if (!await collections.CanWriteAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        if (card.Type != Card.ModelType) throw ApiError.BadRequest("Actions must be made with models, not cards.");
        return card;
    }

    private static void RequireImplicitSupport(Card card)
    {
        if (card.IsNative || card.HasClauses || card.TableId is null)
            throw ApiError.BadRequest("Implicit actions are not supported for models with clauses.");
    }

    /// <summary>
    /// Only a superuser may write a template that references a secret, or change an action whose stored template does
    /// (execution.md § HTTP actions, step 3): anyone else could send the secret to a server of their own.
    /// </summary>
    private static void RequireSecretAuthor(Caller caller, JsonNode? template, string? storedTemplateJson = null)
    {
        if (caller.IsSuperuser) return;
        if (Execution.Http.HttpRequestTemplate.ReferencesSecrets(template)
            || Execution.Http.HttpRequestTemplate.ReferencesSecrets(ActionShapes.Parse(storedTemplateJson)))
            throw ApiError.Forbidden();
    }

    /// <summary>Step 2 of POST (and a type change in PUT): the keys the type cannot do without.</summary>
    private static void RequireTypeKeys(string type, ActionInput input, bool creating)
    {
        switch (type)
        {
            case ActionDefinition.QueryType when input.DatabaseId is null:
                if (creating) throw ApiError.BadRequest("Must provide a database_id for query actions");
                throw ActionInput.Missing("database_id", RequestBody.PositiveIntText);
            case ActionDefinition.QueryType when !creating && input.DatasetQuery is null:
                throw ActionInput.Missing("dataset_query", "map");
            case ActionDefinition.HttpType when input.Template is null:
                throw ActionInput.Missing("template", "map");
            case ActionDefinition.ImplicitType when input.Kind is null:
                throw ActionInput.Missing("kind", ActionInput.KindText);
        }
    }

    private static void SetTypePart(ActionDefinition action, ActionInput input)
    {
        switch (action.Type)
        {
            case ActionDefinition.QueryType:
                action.Query = new QueryActionPart { DatabaseId = input.DatabaseId!.Value, DatasetQueryJson = input.DatasetQuery?.ToJsonString() };
                break;
            case ActionDefinition.ImplicitType:
                action.Implicit = new ImplicitActionPart { Kind = input.Kind! };
                break;
            case ActionDefinition.HttpType:
                action.Http = new HttpActionPart
                {
                    DatabaseId = input.DatabaseId, TemplateJson = input.Template!.ToJsonString(),
                    ResponseHandle = input.ResponseHandle, ErrorHandle = input.ErrorHandle,
                };
                break;
        }
    }

    /// <summary>PUT on the same type: absent keys unchanged, null clears (database_id of a query action cannot be cleared).</summary>
    private static void UpdateTypePart(ActionDefinition action, ActionInput input)
    {
        if (action.Query is { } q)
        {
            if (input.DatabaseId is { } databaseId) q.DatabaseId = databaseId;
            if (input.Has("dataset_query")) q.DatasetQueryJson = input.DatasetQuery?.ToJsonString();
        }
        if (action.Implicit is { } i && input.Kind is { } kind) i.Kind = kind;
        if (action.Http is { } h)
        {
            if (input.Has("database_id")) h.DatabaseId = input.DatabaseId;
            if (input.Template is { } template) h.TemplateJson = template.ToJsonString();
            if (input.Has("response_handle")) h.ResponseHandle = input.ResponseHandle;
            if (input.Has("error_handle")) h.ErrorHandle = input.ErrorHandle;
        }
    }

    /// <summary>Now, but strictly after the previous stamp, so every saved version has its own <c>updated_at</c> (caches key on it).</summary>
    private DateTime NextTimestamp(DateTime previous)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now > previous ? now : previous.AddTicks(10);
    }

    private static async Task<Dictionary<int, UserDto>> CreatorsAsync(AppDbContext db, IEnumerable<int?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<int>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToListAsync(ct);
        var groups = (await db.GroupMemberships.AsNoTracking().Where(m => wanted.Contains(m.UserId)).ToListAsync(ct))
            .ToLookup(m => m.UserId, m => m.GroupId);
        return users.ToDictionary(u => u.Id, u => UserService.ToDto(u, groups[u.Id].Order().ToList()));
    }
}
