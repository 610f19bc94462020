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
    /// message (the public API does not either). With a query action's SQL (the editor), a column set from a tag names that tag's field.
    /// </summary>
    public static RunOutcome Failed(ApiError error, IReadOnlyList<FormField> fields, string? errorMessage, bool anonymous, string? sql = null)
    {
        var configured = string.IsNullOrEmpty(errorMessage) ? null : errorMessage;
        var perField = error is RowError row && row.Errors.Count > 0
            ? row.Errors.Where(e => fields.Any(f => f.Id == e.Key)).ToDictionary(e => e.Key, e => e.Value)
            : FieldNamedBy(error.Message, fields, sql) is { } id ? new Dictionary<string, string> { [id] = DatabaseMessage(error.Message) } : [];
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

    /// <summary>
    /// The parameter a database message names, when it names exactly one (<c>orders.quantity</c>, <c>quantity_positive</c>);
    /// else, with the SQL, the tag that sets the column the message names (<c>quantity = {{qty}}</c>).
    /// </summary>
    public static string? FieldNamedBy(string message, IReadOnlyList<FormField> fields, string? sql = null)
    {
        var text = DatabaseMessage(message);
        var named = fields.Where(f => Names(text, f.Id)).ToList();
        if (named.Count == 1) return named[0].Id;
        if (named.Count > 1 || sql is null) return null;
        var set = Regex.Matches(sql, @"([A-Za-z_][A-Za-z0-9_]*)[""`\]]?\s*=\s*\{\{\s*([^{}\s]+)\s*\}\}")
            .Where(m => Names(text, m.Groups[1].Value) && fields.Any(f => f.Id == m.Groups[2].Value))
            .Select(m => m.Groups[2].Value).Distinct().ToList();
        return set.Count == 1 ? set[0] : null;
    }

    /// <summary>The message names the identifier as a word of its own (<c>orders.quantity</c>, <c>quantity_positive</c>, not <c>customer_id</c> for <c>id</c>).</summary>
    private static bool Names(string text, string identifier) => identifier.Length > 0
        && Regex.IsMatch(text, $"(?<![A-Za-z0-9_]){Regex.Escape(identifier)}(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The database's own words of a write error (the part after the run's prefixes), else the whole message.</summary>
    private static string DatabaseMessage(string message)
    {
        var at = message.IndexOf(WriteQueryPrefix, StringComparison.Ordinal);
        return at < 0 ? message : message[(at + WriteQueryPrefix.Length)..];
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
