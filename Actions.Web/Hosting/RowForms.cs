using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Web.Hosting;

/// <summary>The model browser's bridge between rows and run forms: row values into form fields, and a run's answer in words.</summary>
public static class RowForms
{
    /// <summary>Puts the row's values into the fields with the same parameter id (a value the field's input shows as typed).</summary>
    public static void Fill(IEnumerable<FormField> fields, JsonObject values)
    {
        foreach (var field in fields)
        {
            if (!values.TryGetPropertyValue(field.Id, out var value) || value is null) continue;
            if (field.InputType == "boolean") field.BoolValue = value.GetValueKind() == JsonValueKind.True;
            else field.Value = Text(value);
        }
    }

    /// <summary>A value as a form field or a table cell shows it: text as it is, anything else as JSON.</summary>
    public static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary>
    /// What a successful run says, as the run page says it (<see cref="RunOutcome.Succeeded"/>): the form's success
    /// message with <c>{{rows-affected}}</c> filled in, or a warning when it changed no row.
    /// </summary>
    public static RunOutcome Succeeded(JsonNode? settings, JsonNode? result) =>
        RunOutcome.Succeeded(result, settings?["successMessage"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null);
}
