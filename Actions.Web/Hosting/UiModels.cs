using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;

namespace Actions.Web.Hosting;

/// <summary>What the action list shows of an action.</summary>
public sealed record ActionRow(int Id, string Name, string Type, int ModelId, string? Kind, Guid? PublicUuid, bool Archived, DateTime UpdatedAt)
{
    public static ActionRow From(ActionDetails a) =>
        new(a.Id, a.Name, a.Type, a.ModelId, (a as ImplicitActionDetails)?.Kind, a.PublicUuid, a.Archived, a.UpdatedAt);
}

/// <summary>One input of a run form: the parameter and its form settings (<c>visualization_settings.fields[id]</c>).</summary>
public sealed class FormField
{
    public string Id { get; init; } = "";
    public string Label { get; set; } = "";
    public string InputType { get; set; } = "string";
    public string? Placeholder { get; set; }
    public string? Description { get; set; }
    public bool Required { get; set; }
    public bool Hidden { get; set; }
    public string? DefaultValue { get; set; }
    public List<string> Options { get; set; } = [];
    public int Order { get; set; }
    public string ParameterType { get; init; } = "text";
    public string? Value { get; set; }
    public bool BoolValue { get; set; }

    /// <summary>The visible fields of a form in order, from an action's parameters and settings.</summary>
    public static List<FormField> FromAction(JsonObject action) => FromAction(action["parameters"], action["visualization_settings"]);

    /// <inheritdoc cref="FromAction(JsonObject)"/>
    public static List<FormField> FromAction(ActionDetails action) => FromAction(action.Parameters, action.VisualizationSettings);

    private static List<FormField> FromAction(JsonNode? parameters, JsonNode? visualization)
    {
        var result = new List<FormField>();
        var index = 0;
        foreach (var p in (parameters as JsonArray) ?? [])
        {
            if (p is not JsonObject parameter || ActionShapes.ParameterId(parameter) is not { } id) continue;
            var settings = ActionShapes.FieldSettings(visualization, id);
            var type = Text(parameter["type"]) ?? "text";
            var field = new FormField
            {
                Id = id,
                Label = Text(settings?["title"]) ?? Text(parameter["display-name"]) ?? Text(parameter["name"]) ?? id,
                InputType = Text(settings?["inputType"]) ?? DefaultInput(type),
                Placeholder = Text(settings?["placeholder"]),
                Description = Text(settings?["description"]),
                Required = Bool(settings?["required"]) ?? Bool(parameter["required"]) ?? false,
                Hidden = Bool(settings?["hidden"]) ?? false,
                DefaultValue = settings?["defaultValue"] is { } d ? (d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : d.ToJsonString()) : null,
                Options = (settings?["valueOptions"] as JsonArray)?.Select(o => o?.ToString() ?? "").ToList() ?? [],
                Order = settings?["order"] is JsonValue ov && ov.TryGetValue<int>(out var order) ? order : 1000 + index,
                ParameterType = type,
            };
            result.Add(field);
            index++;
        }
        return result.OrderBy(f => f.Order).ToList();
    }

    /// <summary>The input a parameter type gets when the form says nothing.</summary>
    public static string DefaultInput(string parameterType) => parameterType switch
    {
        _ when parameterType.StartsWith("number", StringComparison.Ordinal) => "number",
        _ when parameterType.StartsWith("date", StringComparison.Ordinal) => "date",
        "boolean" => "boolean",
        _ => "string",
    };

    /// <summary>The value to send: numbers as numbers, booleans as booleans, empty as absent.</summary>
    public JsonNode? ToJson()
    {
        if (InputType == "boolean") return JsonValue.Create(BoolValue);
        if (string.IsNullOrEmpty(Value)) return null;
        if (InputType == "number" && decimal.TryParse(Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return JsonValue.Create(n);
        return JsonValue.Create(Value);
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0 ? v.GetValue<string>() : null;
    private static bool? Bool(JsonNode? n) => n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
}

/// <summary>Turns a service error into words for a person.</summary>
public static class UiErrors
{
    public static string Describe(Actions.Data.Errors.ApiError error) => error switch
    {
        Actions.Data.Errors.ValidationError v => "Some values are not valid: " + string.Join("; ", v.Errors.ToJson()["errors"]!.AsObject().Select(p => $"{p.Key}: {p.Value}")),
        Actions.Data.Errors.RowError r when r.Errors.Count > 0 => r.Message + " " + string.Join(" ", r.Errors.Values),
        Actions.Data.Execution.Http.RemoteError r => r.RemoteMessage is { } m ? $"The service answered {r.RemoteStatus}: {m}" : $"The service answered {r.RemoteStatus}.",
        _ when error.Status == 403 => "You don't have permission to do that.",
        _ when error.Status == 404 => "It no longer exists.",
        _ => error.Message,
    };
}
