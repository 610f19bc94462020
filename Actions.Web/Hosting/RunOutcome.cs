using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Errors;

namespace Actions.Web.Hosting;

public enum RunOutcomeKind { Success, Warning, Error }

/// <summary>
/// What a run from a form says, in words: the action's success message (a warning when nothing changed) or the error,
/// the errors that belong to one input by parameter id, and the raw answer for the details toggle.
/// </summary>
public sealed record RunOutcome(RunOutcomeKind Kind, string Message, string? Details, IReadOnlyDictionary<string, string> FieldErrors)
{
    public const string NothingChanged = "No row was changed: nothing matched the statement's condition.";
    private const string WriteQueryPrefix = "Error executing write query: ";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A run that answered: the success message with <c>{{rows-affected}}</c> filled in, or a warning when it changed no row.</summary>
    public static RunOutcome Succeeded(JsonNode? body, string? successMessage)
    {
        var affected = body?["rows-affected"];
        var rows = affected?.ToString() ?? body?["rows-updated"]?.ToString() ?? body?["rows-deleted"]?.ToString() ?? "";
        var message = (string.IsNullOrEmpty(successMessage) ? "Done." : successMessage).Replace("{{rows-affected}}", rows, StringComparison.Ordinal);
        var details = body is null ? "No content (the action answered without a body)." : body.ToJsonString(Indented);
        return affected is not null && decimal.TryParse(affected.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var n) && n == 0
            ? new RunOutcome(RunOutcomeKind.Warning, NothingChanged, details, Empty)
            : new RunOutcome(RunOutcomeKind.Success, message, details, Empty);
    }

    /// <summary>
    /// A refused run. Errors about one value go on its field: the database's per-field errors, or a database message
    /// that names exactly one of the form's parameters. An anonymous form names the field but never says the real
    /// message (the public API does not either).
    /// </summary>
    public static RunOutcome Failed(ApiError error, IReadOnlyList<FormField> fields, string? errorMessage, bool anonymous)
    {
        var configured = string.IsNullOrEmpty(errorMessage) ? null : errorMessage;
        var perField = error is RowError row && row.Errors.Count > 0
            ? row.Errors.Where(e => fields.Any(f => f.Id == e.Key)).ToDictionary(e => e.Key, e => e.Value)
            : FieldNamedBy(error.Message, fields) is { } id ? new Dictionary<string, string> { [id] = DatabaseMessage(error.Message) } : [];
        if (anonymous)
        {
            if (error.Status == 429) return new RunOutcome(RunOutcomeKind.Error, error.Message, null, Empty);
            if (error.Status == 404) return new RunOutcome(RunOutcomeKind.Error, "This link no longer works.", null, Empty);
            if (perField.Count == 0) return new RunOutcome(RunOutcomeKind.Error, configured ?? "An error occurred. Check your values and try again.", null, Empty);
            var labels = fields.Where(f => perField.ContainsKey(f.Id)).Select(f => f.Label).ToList();
            return new RunOutcome(RunOutcomeKind.Error, configured ?? $"Check the value of {string.Join(" and ", labels)} and try again.", null,
                perField.ToDictionary(e => e.Key, _ => "Check this value."));
        }
        return new RunOutcome(RunOutcomeKind.Error, configured ?? UiErrors.Describe(error), error.Message, perField);
    }

    /// <summary>The parameter a database message names, when it names exactly one (<c>orders.quantity</c>, <c>quantity_positive</c>).</summary>
    public static string? FieldNamedBy(string message, IReadOnlyList<FormField> fields)
    {
        var text = DatabaseMessage(message);
        var named = fields.Where(f => f.Id.Length > 0
            && Regex.IsMatch(text, $"(?<![A-Za-z0-9_]){Regex.Escape(f.Id)}(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).ToList();
        return named.Count == 1 ? named[0].Id : null;
    }

    /// <summary>The database's own words of a write error (the part after the run's prefixes), else the whole message.</summary>
    private static string DatabaseMessage(string message)
    {
        var at = message.IndexOf(WriteQueryPrefix, StringComparison.Ordinal);
        return at < 0 ? message : message[(at + WriteQueryPrefix.Length)..];
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
