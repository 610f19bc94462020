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

/// <summary>One input of a run form: the parameter, its form settings (<c>visualization_settings.fields[id]</c>) and the value entered.</summary>
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
    public string ParameterType { get; init; } = "text";
    public string? Value { get; set; }
    public bool BoolValue { get; set; }

    /// <summary>The fields of a form in order, from an action's parameters and settings.</summary>
    public static List<FormField> FromAction(JsonObject action) => ActionDraft.FieldsOf(action).Select(From).ToList();

    /// <inheritdoc cref="FromAction(JsonObject)"/>
    public static List<FormField> FromAction(ActionDetails action) =>
        ActionDraft.FieldsOf(action.Parameters, action.VisualizationSettings).Select(From).ToList();

    /// <summary>A field of the editor's draft, with no value entered yet.</summary>
    public static FormField From(DraftField f) => new()
    {
        Id = f.Id, Label = f.Label, InputType = f.InputType, ParameterType = f.ParameterType, Placeholder = f.Placeholder, Description = f.Description,
        Required = f.Required, Hidden = f.Hidden, DefaultValue = f.DefaultValue, Options = [.. f.Options],
    };

    /// <summary>The field's form settings, as the editor's draft holds them.</summary>
    public DraftField ToDraft() => new(Id, Label, InputType, ParameterType, Placeholder, Description, Required, Hidden, DefaultValue, Options);

    /// <summary>The input a parameter type gets when the form says nothing.</summary>
    public static string DefaultInput(string parameterType) => DraftField.DefaultInput(parameterType);

    /// <summary>
    /// A value read from the database (a prefetched row) as the field's input takes it: a date-and-time input wants
    /// <c>yyyy-MM-ddTHH:mm[:ss]</c> (no zone, no space), a date input only the date; anything else is shown as it is.
    /// </summary>
    public static string? ForInput(string inputType, string? value)
    {
        if (value is null) return null;
        var match = System.Text.RegularExpressions.Regex.Match(value, @"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?");
        if (!match.Success) return value;
        return inputType switch
        {
            "datetime" => $"{match.Groups[1].Value}T{(match.Groups[2].Success ? match.Groups[2].Value : "00:00")}",
            "date" => match.Groups[1].Value,
            _ => value,
        };
    }

    /// <summary>The value to send: numbers as numbers, booleans as booleans, empty as absent.</summary>
    public JsonNode? ToJson()
    {
        if (InputType == "boolean") return JsonValue.Create(BoolValue);
        if (string.IsNullOrEmpty(Value)) return null;
        if (InputType == "number" && decimal.TryParse(Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return JsonValue.Create(n);
        return JsonValue.Create(Value);
    }
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
