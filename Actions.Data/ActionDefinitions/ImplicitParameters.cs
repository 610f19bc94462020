using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// The parameters of an implicit action, generated at every read from the model's table (execution.md § Implicit):
/// one per field of the model's result metadata (never sensitive or hidden ones, never JSON or unknown types),
/// merged with the saved ones and filtered by kind.
/// </summary>
public static class ImplicitParameters
{
    public sealed record Generated(JsonArray Parameters, JsonObject? VisualizationSettings, bool Ambiguous,
        IReadOnlyList<(string Slug, DbField Field)> Fields);

    /// <summary>"Last Login" → "last_login": lower case, anything outside [a-z0-9_] becomes "_".</summary>
    public static string Slug(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant()) sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        return sb.ToString();
    }

    public static string ParameterType(string baseType) => baseType switch
    {
        _ when BaseTypes.IsNumeric(baseType) => "number",
        _ when BaseTypes.IsTemporal(baseType) => "date",
        BaseTypes.Boolean => "boolean",
        _ => "text",
    };

    /// <summary>The fields that can become parameters: normal, active, not JSON or unknown, in field order.</summary>
    public static IReadOnlyList<DbField> Eligible(IEnumerable<DbField> tableFields) => tableFields
        .Where(f => f.Active && f.VisibilityType == Visibility.Normal && f.BaseType is not (BaseTypes.Json or BaseTypes.Unknown))
        .OrderBy(f => f.Position).ToList();

    public static Generated Generate(string kind, IReadOnlyList<DbField> eligible, JsonArray? saved, JsonObject? visualization)
    {
        var slugged = eligible.Select(f => (Slug: Slug(f.Name), Field: f)).ToList();
        if (slugged.GroupBy(s => s.Slug).Any(g => g.Count() > 1))
            return new Generated([], Reconcile(visualization, []), true, slugged);

        var byId = (saved ?? []).OfType<JsonObject>()
            .Where(p => p["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            .GroupBy(p => p["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Last());
        var result = new JsonArray();
        foreach (var (slug, field) in slugged)
        {
            var isPk = field.IsPrimaryKey;
            var required = field.DatabaseRequired;
            switch (kind)
            {
                case "row/create" when field.IsAutoIncrement || (isPk && !required):
                    continue;
                case "row/update" when isPk:
                    required = true;
                    break;
                case "row/delete" when !isPk:
                    continue;
                case "row/delete":
                    required = true;
                    break;
            }
            var parameter = new JsonObject
            {
                ["id"] = slug,
                ["display-name"] = field.DisplayName,
                ["target"] = new JsonArray("variable", new JsonArray("template-tag", slug)),
                ["type"] = ParameterType(field.BaseType),
                ["required"] = required,
                ["is-auto-increment"] = field.IsAutoIncrement,
            };
            if (byId.TryGetValue(slug, out var savedParameter))
                foreach (var (key, value) in savedParameter)
                    if (key != "type") parameter[key] = value?.DeepClone();
            result.Add(parameter);
        }
        var ids = result.Select(p => p!["id"]!.GetValue<string>()).ToList();
        return new Generated(result, Reconcile(visualization, ids), false, slugged);
    }

    /// <summary>Keeps field settings of parameters only; adds <c>{"id", "hidden": false}</c> for the others.</summary>
    private static JsonObject? Reconcile(JsonObject? visualization, IReadOnlyList<string> ids)
    {
        if (visualization is null && ids.Count == 0) return null;
        var result = visualization is null ? new JsonObject() : (JsonObject)visualization.DeepClone();
        var saved = result["fields"] as JsonObject ?? [];
        var fields = new JsonObject();
        foreach (var id in ids)
            fields[id] = saved[id] is JsonObject entry ? entry.DeepClone() : new JsonObject { ["id"] = id, ["hidden"] = false };
        result["fields"] = fields;
        return result;
    }
}
