using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;

namespace Actions.Data.Execution.Query;

/// <summary>
/// Runs query actions: the SQL template is rendered with one placeholder per tag and every value is bound as a
/// typed database parameter (never spliced into the SQL), in one transaction, on the action's database.
/// </summary>
public sealed class QueryActionRunner(DatabaseConnections connections) : IActionRunner
{
    private const string Prefix = "Error executing Action: ";
    private readonly ConcurrentDictionary<(int, DateTime, SqlDialect), Lazy<(QueryTemplate? Template, string? Error)>> _templates = new();

    public string Type => ActionDefinition.QueryType;

    /// <summary>
    /// The parsed template of an action version, by its database's lexical rules (cached; a new version has a new
    /// updated_at).
    /// </summary>
    public (QueryTemplate? Template, string? Error) TemplateOf(ActionDefinition action)
    {
        var dialect = action.Query is { } query ? connections.EngineOf(query.DatabaseId).Dialect : SqlDialect.Sqlite;
        var key = (action.Id, action.UpdatedAt, dialect);
        if (_templates.TryGetValue(key, out var cached)) return cached.Value;
        // The bound is checked only when adding: Count takes every lock of the dictionary, and with thousands of
        // actions that is hundreds of locks — on every run it cost more than the rest of the lookup.
        if (_templates.Count > 10_000) _templates.Clear();
        return _templates.GetOrAdd(key, _ => new Lazy<(QueryTemplate?, string?)>(() =>
        {
            var sql = Sql(action);
            if (sql is null) return (null, "Cannot run the query: the action has no SQL");
            try
            {
                return (QueryTemplate.Parse(sql, dialect: dialect), null);
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        })).Value;
    }

    public static string? Sql(ActionDefinition action) =>
        ActionShapes.At(ActionShapes.Parse(action.Query?.DatasetQueryJson), "native", "query") is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private readonly ConcurrentDictionary<(int, DateTime), JsonObject> _tags = new();

    /// <summary>The template tags of an action version (cached like the template; callers only read them).</summary>
    public JsonObject TemplateTags(ActionDefinition action)
    {
        var key = (action.Id, action.UpdatedAt);
        if (_tags.TryGetValue(key, out var cached)) return cached;
        if (_tags.Count > 10_000) _tags.Clear();
        return _tags.GetOrAdd(key, _ => ActionShapes.At(ActionShapes.Parse(action.Query?.DatasetQueryJson), "native", "template-tags") as JsonObject ?? []);
    }

    /// <summary>
    /// Saved parameters plus one derived parameter for each tag that no saved parameter targets. A template that
    /// does not parse fails here, before its parameters are judged.
    /// </summary>
    public JsonArray AcceptedParameters(ActionDefinition action, JsonNode? saved)
    {
        if (TemplateOf(action).Error is { } error) throw Failure(error);
        var result = new JsonArray();
        foreach (var p in (saved as JsonArray) ?? []) if (p is JsonObject) result.Add(p.DeepClone());
        var tags = TemplateTags(action);
        var names = tags.Select(t => t.Key).ToList();
        names.AddRange(TemplateOf(action).Template!.TagNames);
        foreach (var tag in names.Distinct())
        {
            if (ParameterFor(result, tag) is not null) continue;
            var type = TagType(tags, tag);
            result.Add(new JsonObject
            {
                ["id"] = tag, ["slug"] = tag, ["type"] = type,
                ["target"] = new JsonArray("variable", new JsonArray("template-tag", tag)),
            });
        }
        return result;
    }

    /// <summary>The parameter whose target is the tag, else the one whose id or slug is the tag.</summary>
    public static JsonObject? ParameterFor(JsonArray parameters, string tag)
    {
        var all = parameters.OfType<JsonObject>().ToList();
        return all.FirstOrDefault(p => p["target"] is JsonArray { Count: >= 2 } target && target[0]?.ToString() == "variable"
                                       && target[1] is JsonArray { Count: >= 2 } inner && inner[0]?.ToString() == "template-tag" && inner[1]?.ToString() == tag)
               ?? all.FirstOrDefault(p => p["id"]?.ToString() == tag || p["slug"]?.ToString() == tag);
    }

    /// <summary>How one tag of an action version gets its value and type; worked out once per version.</summary>
    private sealed record TagBinding(string Tag, string? ParameterId, JsonNode? ParameterDefault, JsonNode? TagDefault, bool Required,
        string Display, string Type, bool OutsideOptional);

    /// <summary>
    /// The SQL rendered for one set of tags with values (up to its terminator), the tag index bound to each placeholder,
    /// the one-statement check, and whether there is any code to run.
    /// </summary>
    private sealed record RenderedSql(string Sql, int[] Bound, bool SeveralStatements, bool HasCode);

    /// <summary>
    /// Everything a run of one action version needs that does not depend on the request: the bindings of its tags and
    /// the SQL rendered per set of present tags (optional blocks make several). Built from the cached accepted
    /// parameters, so a changed definition (new accepted parameters) gets a new plan.
    /// </summary>
    private sealed class BindPlan(QueryTemplate template, TagBinding[] tags, JsonNode? visualization)
    {
        private readonly ConcurrentDictionary<(ulong, IDatabaseEngine), RenderedSql> _rendered = new();
        private readonly Dictionary<string, int> _index = tags.Select((t, i) => (t.Tag, i)).ToDictionary(p => p.Tag, p => p.i, StringComparer.Ordinal);

        public TagBinding[] Tags => tags;
        public JsonNode? Visualization => visualization;

        /// <summary>
        /// The SQL for the tags that have a value (bit i: tag i) in the engine's placeholders, checked by its lexical
        /// rules; cached while there are at most 64 tags.
        /// </summary>
        public RenderedSql Render(JsonNode?[] values, IDatabaseEngine engine)
        {
            if (tags.Length > 64) return RenderNow(values, engine);
            var present = 0UL;
            for (var i = 0; i < values.Length; i++) if (values[i] is not null) present |= 1UL << i;
            return _rendered.GetOrAdd((present, engine), static (_, state) => state.plan.RenderNow(state.values, state.engine), (plan: this, values, engine));
        }

        private RenderedSql RenderNow(JsonNode?[] values, IDatabaseEngine engine)
        {
            var (sql, bound) = template.Render(tag => values[_index[tag]] is not null, engine.Placeholder);
            var several = QueryTemplate.HasSeveralStatements(sql, engine.Dialect);
            var (statement, hasCode) = SqlLexer.FirstStatement(sql, engine.Dialect);
            return new RenderedSql(several ? sql : statement, bound.Select(tag => _index[tag]).ToArray(), several, hasCode);
        }
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonArray, BindPlan> _plans = new();

    private BindPlan PlanOf(RunInput input, QueryTemplate template)
    {
        if (_plans.TryGetValue(input.Parameters, out var cached) && ReferenceEquals(cached.Visualization, input.Visualization)) return cached;
        var tags = TemplateTags(input.Action);
        var required = template.RequiredTagNames.ToHashSet(StringComparer.Ordinal);
        var bindings = template.TagNames.Select(tag =>
        {
            var tagInfo = tags[tag] as JsonObject;
            var parameter = ParameterFor(input.Parameters, tag);
            var id = parameter?["id"]?.ToString();
            var mustHave = IsTrue(tagInfo?["required"]) || IsTrue(parameter?["required"])
                           || (id is not null && IsTrue(ActionShapes.FieldSettings(input.Visualization, id)?["required"]));
            var display = tagInfo?["display-name"]?.ToString() ?? parameter?["display-name"]?.ToString() ?? parameter?["name"]?.ToString() ?? tag;
            return new TagBinding(tag, id, parameter?["default"], tagInfo?["default"], mustHave, display, TagType(tags, tag), required.Contains(tag));
        }).ToArray();
        var plan = new BindPlan(template, bindings, input.Visualization);
        _plans.AddOrUpdate(input.Parameters, plan);
        return plan;
    }

    public async Task<ExecutionResult> RunAsync(RunInput input, CancellationToken ct)
    {
        var action = input.Action;
        var (template, parseError) = TemplateOf(action);
        if (template is null) throw Failure(parseError!);
        var plan = PlanOf(input, template);
        // Each tag's value: the request's, else the parameter's default, else the form's, else the tag's.
        var values = new JsonNode?[plan.Tags.Length];
        List<string>? missingRequired = null;
        for (var i = 0; i < values.Length; i++)
        {
            var binding = plan.Tags[i];
            var id = binding.ParameterId;
            var value = (id is null ? null : input.Request[id]) ?? binding.ParameterDefault ?? (id is null ? null : input.Defaulted[id]) ?? binding.TagDefault;
            if (value is not null)
            {
                values[i] = value;
                continue;
            }
            if (binding.Required)
                throw Failure($"Error building query parameter map: Error determining value for parameter \"{binding.Tag}\": You'll need to pick a value for '{binding.Display}' before this query can run.");
            if (binding.OutsideOptional) (missingRequired ??= []).Add(binding.Tag);
        }
        if (missingRequired is not null)
            throw Failure($"Cannot run the query: missing required parameters: {ClojureSet(missingRequired)}");

        var (engine, connectionString) = await connections.ResolveAsync(action.Query!.DatabaseId, ct);
        var rendered = plan.Render(values, engine);
        if (rendered.SeveralStatements) throw Failure(SeveralStatementsException.Message, prefix: false);
        if (!rendered.HasCode) throw Failure("Error executing write query: The query is empty.");
        var typed = new object?[rendered.Bound.Length];
        for (var i = 0; i < typed.Length; i++)
        {
            var binding = plan.Tags[rendered.Bound[i]];
            typed[i] = Convert(binding.Tag, values[rendered.Bound[i]]!, binding.Type, engine);
        }
        var sql = rendered.Sql;

        DbConnection connection;
        try
        {
            connection = await engine.OpenAsync(connectionString, ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            throw Failure("Error executing write query: " + engine.Describe(e));
        }
        await using (connection)
        {
            int affected;
            try
            {
                affected = await engine.ExecuteWriteAsync(connection, sql, typed, ct);
            }
            catch (DbException e)
            {
                throw Failure("Error executing write query: " + engine.Describe(e));
            }
            catch (SeveralStatementsException)
            {
                throw Failure(SeveralStatementsException.Message, prefix: false);
            }
            var rows = Math.Max(0, affected);
            return ExecutionResult.Ok(new JsonObject { ["rows-affected"] = rows }, new JsonObject { ["rows-affected"] = rows });
        }
    }

    private static string TagType(JsonObject tags, string tag) =>
        ActionShapes.At(tags, tag, "type") is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "text";

    /// <summary>A request value as the database parameter for the tag's type, by the engine's one conversion.</summary>
    private static object? Convert(string tag, JsonNode value, string type, IDatabaseEngine engine)
    {
        if (TagValues.TryToParameter(engine, type, value, out var parameter)) return parameter;
        var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        throw Failure(type switch
        {
            "number" => $"Error building query parameter map: {tag}: \"{text}\" is not a number",
            "boolean" => $"Error building query parameter map: {tag}: {value.ToJsonString()} is not a boolean",
            _ => $"Error building query parameter map: {tag}: \"{text}\" is not a date",
        });
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>Clojure's set notation: <c>#{"a" "b"}</c>.</summary>
    public static string ClojureSet(IEnumerable<string> items) => "#{" + string.Join(" ", items.Select(i => "\"" + i + "\"")) + "}";

    private static ExceptionError Failure(string message, bool prefix = true) => new(400, prefix ? Prefix + message : message);
}
