using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Models;

namespace Actions.Data.ActionDefinitions;

/// <summary>The model an action hangs off, with what reads and runs need of it.</summary>
public sealed record ModelContext(Card Card, IReadOnlyList<DbField> EligibleFields, DbTable? Table, IReadOnlyList<DbField> TableFields);

/// <summary>What reads of an action share: the effective parameters and form settings, and the anonymous public shape.</summary>
public static class ActionShapes
{
    /// <summary>How action JSON is written when it is cached as text (the API's own settings).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    /// <summary>
    /// The value at a path of object keys, or null where the stored JSON has another shape (a number or a list
    /// where a map was expected): stored definitions are read defensively so that no shape fails a run.
    /// </summary>
    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys) node = node is JsonObject o ? o[key] : null;
        return node;
    }

    /// <summary>A parameter's id when it has a string one (stored parameters are maps with a string <c>id</c>).</summary>
    public static string? ParameterId(JsonNode? parameter) =>
        At(parameter, "id") is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The form settings of one parameter (<c>visualization_settings.fields[id]</c>) when they are a map.</summary>
    public static JsonObject? FieldSettings(JsonNode? visualization, string id) => At(visualization, "fields", id) as JsonObject;

    /// <summary>The implicit action's generated parameters (null for other types).</summary>
    public static ImplicitParameters.Generated? Implicit(ActionDefinition a, ModelContext model) =>
        a.Implicit is null ? null
            : ImplicitParameters.Generate(a.Implicit.Kind, model.EligibleFields, Parse(a.ParametersJson) as JsonArray, Parse(a.VisualizationSettingsJson) as JsonObject);

    /// <summary>The parameters and form settings a reader sees, merged by type as the spec says.</summary>
    public static (JsonNode? Parameters, JsonNode? ParameterMappings, JsonNode? Visualization) Effective(ActionDefinition a, ModelContext model)
    {
        var parameters = Parse(a.ParametersJson);
        var mappings = Parse(a.ParameterMappingsJson);
        var visualization = Parse(a.VisualizationSettingsJson);
        if (a.Http is not null && Parse(a.Http.TemplateJson) is JsonObject template)
        {
            if (template["parameters"] is { } tp) parameters = tp.DeepClone();
            if (template["parameter_mappings"] is { } tm) mappings = tm.DeepClone();
        }
        if (Implicit(a, model) is { } generated)
        {
            parameters = generated.Parameters;
            visualization = generated.VisualizationSettings;
        }
        return (parameters, mappings, visualization);
    }

    /// <summary>What an anonymous holder of the public link may see: five keys, hidden parameters removed.</summary>
    public static JsonObject Public(ActionDefinition a, ModelContext model)
    {
        var (parameters, _, visualization) = Effective(a, model);
        var hidden = HiddenIds(visualization);
        var visible = new JsonArray();
        foreach (var p in (parameters as JsonArray) ?? [])
            if (ParameterId(p) is { } id && !hidden.Contains(id)) visible.Add(p!.DeepClone());
        if (visualization is JsonObject vo && vo["fields"] is JsonObject fields)
            foreach (var id in hidden) fields.Remove(id);
        return new JsonObject
        {
            ["id"] = a.Id,
            ["name"] = a.Name,
            ["database_id"] = DatabaseId(a, model),
            ["visualization_settings"] = visualization,
            ["parameters"] = visible,
        };
    }

    /// <summary>Query: its own database; implicit: the model's (derived, never stored); http: as given.</summary>
    public static int? DatabaseId(ActionDefinition a, ModelContext model) => a.Type switch
    {
        ActionDefinition.QueryType => a.Query?.DatabaseId,
        ActionDefinition.ImplicitType => model.Card.DatabaseId,
        _ => a.Http?.DatabaseId,
    };

    /// <summary>Ids whose <c>visualization_settings.fields[id].hidden</c> is true.</summary>
    public static HashSet<string> HiddenIds(JsonNode? visualization)
    {
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        if (At(visualization, "fields") is JsonObject fields)
            foreach (var (id, entry) in fields)
                if (entry is JsonObject e && e["hidden"] is JsonValue h && h.GetValueKind() == System.Text.Json.JsonValueKind.True) hidden.Add(id);
        return hidden;
    }
}
