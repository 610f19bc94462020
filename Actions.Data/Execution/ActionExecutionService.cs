using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Execution.Http;
using Actions.Data.Execution.Implicit;
using Actions.Data.Execution.Log;
using Actions.Data.Execution.Query;
using Actions.Data.Hosting;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actions.Data.Execution;

/// <summary>
/// Runs actions from every source (REST, browser, public link) through the same steps: the endpoint's checks,
/// the common steps of execution.md, the type's runner, and one execution log entry per run.
/// </summary>
public sealed class ActionExecutionService(IDbContextFactory<AppDbContext> contexts, CollectionService collections, SettingService settings, DefinitionCache cache,
    ActionService actions, IEnumerable<IActionRunner> runners, QueryActionRunner queries, ImplicitRowService rows, ExecutionLogWriter log, PublicLinkThrottle throttle,
    IOptions<ActionsOptions> options, TimeProvider time, ILogger<ActionExecutionService> logger)
{
    /// <summary>The name a test run of a draft that has no name yet is logged under.</summary>
    public const string UnsavedName = "Unsaved action";
    public const string AmbiguousMessage = "Cannot execute implicit action on a table with ambiguous column names.";
    private const string Redacted = "<redacted>";
    private readonly Dictionary<string, IActionRunner> _runners = runners.ToDictionary(r => r.Type);

    /// <summary>POST /api/action/:id/execute (and the browser's run form): unarchived action → read permission → run.</summary>
    public async Task<ExecutionResult> ExecuteAsync(Caller caller, int actionId, JsonObject? parameters, string source, CancellationToken ct)
    {
        var (action, model) = await LoadAsync(actionId, ct);
        if (action is null || action.Archived) throw ApiError.NotFound();
        var context = new RunContext(source, caller, null);
        return await LoggedAsync(action, context, parameters, async () =>
        {
            if (!await collections.CanReadAsync(caller, model!.Card.CollectionId, ct)) throw ApiError.Forbidden();
            return await RunAsync(action, model, parameters ?? [], context, ct);
        });
    }

    /// <summary>
    /// The editor's test run: runs the draft as it stands, saved or not (write permission on its model, the checks of
    /// saving it, then the common steps). Logged as a browser run marked as a draft, under the action's id, or under
    /// action id 0 with the draft's name (<see cref="UnsavedName"/> while it has none) while it was never saved.
    /// </summary>
    public async Task<ExecutionResult> ExecuteDraftAsync(Caller caller, int? actionId, ActionDraft draft, JsonObject? parameters, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(draft.Name)) draft = draft with { Name = UnsavedName };
        var (action, model) = await actions.DraftDefinitionAsync(caller, actionId, draft, ct);
        var context = new RunContext(ExecutionSources.Ui, caller, null);
        return await LoggedAsync(action, context, parameters, () => RunAsync(action, model, parameters ?? [], context, ct, draft: true),
            loggedId: actionId ?? 0, isDraft: true);
    }

    /// <summary>POST /api/public/action/:uuid/execute: limits → sharing on → unarchived action → run with no user.</summary>
    public async Task<ExecutionResult> ExecutePublicAsync(string uuid, JsonObject? parameters, string clientIp, CancellationToken ct)
    {
        await throttle.CountRequestAsync(clientIp, ct);
        // Only the canonical spelling names a link, so the per-link limit cannot be split over spellings.
        if (!TryParsePublicUuid(uuid, out var id)) throw ApiError.NotFound();
        await throttle.CountExecutionAsync(id, ct);
        if (!await settings.PublicSharingEnabledAsync(ct)) throw ApiError.BadRequest(ActionService.SharingDisabledMessage);
        var (action, model) = await LoadPublicAsync(id, ct);
        if (action is null) throw ApiError.NotFound();
        var context = new RunContext(ExecutionSources.Public, null, clientIp);
        return await LoggedAsync(action, context, parameters, () => RunAsync(action, model!, parameters ?? [], context, ct));
    }

    /// <summary>
    /// A public link's uuid in its one canonical spelling, as the API hands it out: 36 characters, lower-case hex,
    /// hyphenated. Any other spelling (no hyphens, braces, upper case, padding) names no link (404).
    /// </summary>
    public static bool TryParsePublicUuid(string text, out Guid id) =>
        Guid.TryParseExact(text, "D", out id) && string.Equals(text, id.ToString("D"), StringComparison.Ordinal);

    /// <summary>GET /api/public/action/:uuid: the five public keys, hidden parameters removed.</summary>
    public async Task<JsonObject> GetPublicAsync(string uuid, string clientIp, CancellationToken ct)
    {
        var (action, model) = await SharedFormAsync(uuid, clientIp, ct);
        return ActionShapes.Public(action, model);
    }

    /// <summary>The browser's public form: the same five keys and checks, plus the action's description to show above the form.</summary>
    public async Task<(JsonObject Form, string? Description)> GetPublicFormAsync(string uuid, string clientIp, CancellationToken ct)
    {
        var (action, model) = await SharedFormAsync(uuid, clientIp, ct);
        return (ActionShapes.Public(action, model), action.Description);
    }

    /// <summary>The checks of the anonymous GET and prefetch: client limit → uuid → sharing on → action → actions enabled.</summary>
    private async Task<(ActionDefinition Action, ModelContext Model)> SharedFormAsync(string uuid, string clientIp, CancellationToken ct)
    {
        await throttle.CountRequestAsync(clientIp, ct);
        if (!TryParsePublicUuid(uuid, out var id)) throw ApiError.NotFound();
        if (!await settings.PublicSharingEnabledAsync(ct)) throw ApiError.BadRequest(ActionService.SharingDisabledMessage);
        var (action, model) = await LoadPublicAsync(id, ct);
        if (action is null) throw ApiError.NotFound();
        await RequireEnabledAsync(model!.Card.DatabaseId, ct);
        return (action, model);
    }

    /// <summary>Prefetch of an update/delete form: exists → actions enabled → read permission → row values.</summary>
    public async Task<JsonObject> PrefetchAsync(Caller caller, int actionId, JsonObject parameters, CancellationToken ct)
    {
        var (action, model) = await LoadAsync(actionId, ct);
        if (action is null || action.Archived) throw ApiError.NotFound();
        await RequireEnabledAsync(model!.Card.DatabaseId, ct);
        if (!await collections.CanReadAsync(caller, model.Card.CollectionId, ct)) throw ApiError.Forbidden();
        return await PrefetchCoreAsync(action, model, parameters, ct);
    }

    public async Task<JsonObject> PrefetchPublicAsync(string uuid, JsonObject parameters, string clientIp, CancellationToken ct)
    {
        var (action, model) = await SharedFormAsync(uuid, clientIp, ct);
        return await PrefetchCoreAsync(action, model, parameters, ct);
    }

    private async Task<JsonObject> PrefetchCoreAsync(ActionDefinition action, ModelContext model, JsonObject parameters, CancellationToken ct)
    {
        if (action.Implicit is null) return [];
        var generated = ActionShapes.Implicit(action, model)!;
        if (generated.Ambiguous) throw ApiError.BadRequest(AmbiguousMessage);
        if (action.Implicit.Kind == "row/create") throw ApiError.BadRequest("Values can only be fetched for actions that require a Primary Key.");
        var hidden = ActionShapes.HiddenIds(generated.VisualizationSettings);
        RequireKnownKeys(parameters, generated.Parameters, hidden);
        return await rows.FetchRowAsync(model, generated, parameters, hidden, ct);
    }

    /// <summary>
    /// What the common steps need of an action version, worked out once and cached until a definition changes:
    /// accepted parameters, hidden ids, form defaults and (implicit) the generated parameters.
    /// </summary>
    private sealed record RunPlan(JsonArray Accepted, JsonNode? Visualization, HashSet<string> Hidden, List<(string Id, JsonNode Default)> Defaults,
        bool Ambiguous)
    {
        /// <summary>The parameter ids a request may send: accepted and not hidden.</summary>
        public HashSet<string> Destinations { get; } = DestinationIds(Accepted, Hidden).ToHashSet(StringComparer.Ordinal);
    }

    private ValueTask<RunPlan> PlanAsync(ActionDefinition action, ModelContext model, bool draft) => draft
        // A draft is run once and never stored: its plan is not cached.
        ? ValueTask.FromResult(Plan(queries, action, model))
        : cache.GetOrLoadAsync(new DefinitionCache.Key("plan", action.Id, action.UpdatedAt.Ticks), (queries, action, model),
            static s => Task.FromResult(Plan(s.queries, s.action, s.model)));

    private static RunPlan Plan(QueryActionRunner queries, ActionDefinition action, ModelContext model)
    {
        var generated = ActionShapes.Implicit(action, model);
        var (saved, _, visualization) = ActionShapes.Effective(action, model);
        var accepted = action.Type == ActionDefinition.QueryType ? queries.AcceptedParameters(action, saved) : saved as JsonArray ?? [];
        var defaults = new List<(string, JsonNode)>();
        foreach (var id in accepted.Select(ActionShapes.ParameterId).OfType<string>())
            if (ActionShapes.FieldSettings(visualization, id)?["defaultValue"] is { } dv) defaults.Add((id, dv.DeepClone()));
        return new RunPlan(accepted, visualization, ActionShapes.HiddenIds(visualization), defaults, generated is { Ambiguous: true });
    }

    /// <summary>The common steps (execution.md) after the endpoint's own checks, then the type's runner.</summary>
    private async Task<ExecutionResult> RunAsync(ActionDefinition action, ModelContext model, JsonObject request, RunContext context, CancellationToken ct,
        bool draft = false)
    {
        var plan = await PlanAsync(action, model, draft);
        // 0. Implicit actions on tables with ambiguous column names cannot run.
        if (plan.Ambiguous) throw ApiError.BadRequest(AmbiguousMessage);
        var accepted = plan.Accepted;
        var visualization = plan.Visualization;
        // 1. Unknown and hidden parameters.
        foreach (var (key, _) in request)
            if (!plan.Destinations.Contains(key)) RequireKnownKeys(request, accepted, plan.Hidden);
        // 2. Defaults from the form for absent parameters; a key sent as null stays null. The request was parsed for
        // this run alone, so its values are used as they are (copied only when a null must be dropped). An HTTP run
        // keeps the nulls: there a parameter sent as null renders as empty text (§ HTTP actions, step 1).
        var values = request;
        foreach (var (_, value) in request)
        {
            if (value is not null || action.Type == ActionDefinition.HttpType) continue;
            values = new JsonObject();
            foreach (var (key, v) in request) if (v is not null) values[key] = v.DeepClone();
            break;
        }
        JsonObject? defaulted = null;
        foreach (var (id, dv) in plan.Defaults)
            if (!request.ContainsKey(id)) (defaulted ??= new JsonObject())[id] = dv.DeepClone();
        // 3. Actions enabled on the model's database and on the query's own database.
        await RequireEnabledAsync(model.Card.DatabaseId, ct);
        if (action.Query is { } q && q.DatabaseId != model.Card.DatabaseId) await RequireEnabledAsync(q.DatabaseId, ct);
        // 5. Run by type.
        if (!_runners.TryGetValue(action.Type, out var runner)) throw ApiError.BadRequest($"Unsupported action type: {action.Type}");
        return await runner.RunAsync(new RunInput(action, model, accepted, visualization, values, defaulted ?? NoDefaults, context), ct);
    }

    /// <summary>Shared by runs without form defaults; only ever read (its dictionary is created here, not by a first reader).</summary>
    private static readonly JsonObject NoDefaults = EmptyObject();

    private static JsonObject EmptyObject()
    {
        var empty = new JsonObject();
        _ = empty.ContainsKey("");
        return empty;
    }

    /// <summary>The parameter ids a request may send, in order: accepted and not hidden.</summary>
    private static List<string> DestinationIds(JsonArray accepted, HashSet<string> hidden) =>
        accepted.Select(ActionShapes.ParameterId).OfType<string>().Where(id => !hidden.Contains(id)).Distinct().ToList();

    private static void RequireKnownKeys(JsonObject request, JsonArray accepted, HashSet<string> hidden)
    {
        var destinations = DestinationIds(accepted, hidden);
        var unknown = request.Select(p => p.Key).Where(k => !destinations.Contains(k)).ToList();
        if (unknown.Count == 0) return;
        var data = new Dictionary<string, JsonNode?>
        {
            ["parameters"] = new JsonArray(request.Select(p => (JsonNode?)JsonValue.Create(p.Key)).ToArray()),
            ["destination-parameters"] = new JsonArray(destinations.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
        };
        throw new ExceptionError(400, $"No destination parameter found for {QueryActionRunner.ClojureSet(unknown)}. Found: {QueryActionRunner.ClojureSet(destinations)}", data: data);
    }

    private async ValueTask RequireEnabledAsync(int databaseId, CancellationToken ct)
    {
        var enabled = await cache.GetOrLoadAsync(new DefinitionCache.Key("actions-enabled"), (contexts, ct), static async s =>
        {
            var (contexts, ct) = s;
            await using var db = await contexts.CreateDbContextAsync(ct);
            return await db.Databases.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.ActionsEnabled, ct);
        });
        if (!enabled.GetValueOrDefault(databaseId)) throw ActionService.NotEnabled(databaseId);
    }

    /// <summary>An action with its model, as cached until a definition changes (a missing one is remembered too).</summary>
    private sealed record Loaded(ActionDefinition? Action, ModelContext? Model);

    /// <summary>Runs and writes the log entry, whatever the outcome.</summary>
    private async Task<ExecutionResult> LoggedAsync(ActionDefinition action, RunContext context, JsonObject? parameters, Func<Task<ExecutionResult>> run,
        int? loggedId = null, bool isDraft = false)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var clock = Stopwatch.StartNew();
        var entry = new ExecutionLogEntry
        {
            ActionId = loggedId ?? action.Id, IsDraft = isDraft, ActionName = action.Name, ActionType = action.Type, Source = context.Source,
            UserId = context.Caller?.UserId is > 0 ? context.Caller.UserId : null, ClientIp = context.ClientIp, StartedAt = started,
            ParametersJson = LoggedParameters(parameters),
        };
        try
        {
            var result = await run();
            entry.Status = "success";
            entry.HttpStatus = result.Status;
            entry.ResultJson = result.LogResult?.ToJsonString();
            return result;
        }
        catch (ApiError e)
        {
            entry.Status = "error";
            entry.HttpStatus = e.Status;
            entry.Error = e.Message;
            if (e is RemoteError remote) entry.ResultJson = new JsonObject { ["remote-status"] = remote.RemoteStatus }.ToJsonString();
            if (context.Source == ExecutionSources.Public)
                logger.LogInformation("Public run of action {ActionId} failed with {Status}: {Reason}", action.Id, e.Status, e.Message);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            entry.Status = "error";
            entry.HttpStatus = 500;
            entry.Error = "Unexpected error: " + e.GetType().Name;
            throw;
        }
        finally
        {
            entry.DurationMs = (int)clock.ElapsedMilliseconds;
            if (entry.Status.Length == 0)
            {
                entry.Status = "error";
                entry.HttpStatus = 499;
                entry.Error = "The request was cancelled.";
            }
            await log.RecordAsync(entry);
        }
    }

    private string? LoggedParameters(JsonObject? parameters)
    {
        if (parameters is null) return null;
        if (options.Value.ExecutionLog.StoreParameterValues) return parameters.ToJsonString();
        var result = new JsonObject();
        foreach (var (key, _) in parameters) result[key] = Redacted;
        return result.ToJsonString();
    }

    private async ValueTask<(ActionDefinition? Action, ModelContext? Model)> LoadAsync(int id, CancellationToken ct)
    {
        var loaded = await cache.GetOrLoadAsync(new DefinitionCache.Key("action", id), (contexts, id, ct), static async s =>
        {
            var (contexts, id, ct) = s;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var action = await ActionService.FindAsync(db, id, ct);
            return new Loaded(action, action is null ? null : await ActionService.ModelOfAsync(db, action, ct));
        });
        return (loaded.Action, loaded.Model);
    }

    private async ValueTask<(ActionDefinition? Action, ModelContext? Model)> LoadPublicAsync(Guid uuid, CancellationToken ct)
    {
        var loaded = await cache.GetOrLoadAsync(DefinitionCache.Key.Of("public", uuid), (contexts, uuid, ct), static async s =>
        {
            var (contexts, uuid, ct) = s;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var action = await ActionService.WithParts(db.Actions.AsNoTracking()).FirstOrDefaultAsync(a => a.PublicUuid == uuid && !a.Archived, ct);
            return new Loaded(action, action is null ? null : await ActionService.ModelOfAsync(db, action, ct));
        });
        return (loaded.Action, loaded.Model);
    }
}
