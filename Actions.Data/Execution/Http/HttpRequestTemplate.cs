using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Execution.Query;

namespace Actions.Data.Execution.Http;

/// <summary>
/// Renders the url, body and headers of an HTTP action with <c>{{name}}</c> and <c>[[ … ]]</c>: values are
/// percent-encoded in the url and JSON-string-escaped (without quotes) in body and headers.
/// <c>{{secret:NAME}}</c> is resolved from the template's own text only, so a value that contains such a
/// reference is sent literally.
/// </summary>
public static partial class HttpRequestTemplate
{
    public const string SecretPrefix = "secret:";
    public enum Target { Url, Body, Headers }

    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The secret names a template text refers to.</summary>
    public static IEnumerable<string> SecretNames(string? text) =>
        text is null ? [] : Parse(text).TagNames.Where(IsSecret).Select(t => t[SecretPrefix.Length..]);

    /// <summary>The texts of a template that are rendered: <c>url</c>, <c>body</c> and <c>headers</c> when they are strings.</summary>
    public static (string? Url, string? Body, string? Headers) Texts(JsonNode? template)
    {
        string? At(string key) => template is JsonObject o && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return (At("url"), At("body"), At("headers"));
    }

    /// <summary>
    /// Whether a template's own text refers to any secret (who may save it depends on this). A text that does not parse
    /// cannot run, but counts when it spells a reference all the same.
    /// </summary>
    public static bool ReferencesSecrets(JsonNode? template)
    {
        var (url, body, headers) = Texts(template);
        return new[] { url, body, headers }.Any(text =>
        {
            if (text is null) return false;
            try
            {
                return SecretNames(text).Any();
            }
            catch (ExceptionError)
            {
                return SpelledSecret().IsMatch(text);
            }
        });
    }

    /// <summary>
    /// Renders one text. A parameter sent as null is a value, written as empty text (so it is not missing and keeps a
    /// <c>[[ ]]</c> block); only an absent one is missing. The secrets written into the text are added to
    /// <paramref name="usedSecrets"/> (a secret in a dropped block is not used).
    /// </summary>
    /// <param name="value">The value of a parameter id: not present when absent; a JSON null when sent as null.</param>
    public static string Render(string text, Target target, Func<string, (bool Present, JsonNode? Value)> value,
        IReadOnlyDictionary<string, string> secrets, ICollection<string> usedSecrets)
    {
        var template = Parse(text);
        bool HasValue(string tag) => IsSecret(tag) || value(tag).Present;
        var (_, bound) = template.Render(HasValue, _ => "");
        var missing = new List<string>();
        var written = new List<string>(bound.Count);
        foreach (var tag in bound)
        {
            if (IsSecret(tag))
            {
                var name = tag[SecretPrefix.Length..];
                if (!secrets.TryGetValue(name, out var secret)) throw new ExceptionError(400, $"Problem building request: unknown secret: {name}");
                if (!usedSecrets.Contains(name)) usedSecrets.Add(name);
                written.Add(Escape(secret, target));
                continue;
            }
            var (present, v) = value(tag);
            if (!present) missing.Add(tag);
            written.Add(Escape(v switch
            {
                null => "",
                JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>(),
                _ => v.ToJsonString(),
            }, target));
        }
        if (missing.Count > 0)
            throw new ExceptionError(400, $"Problem building request: Cannot call the service: missing required parameters: {QueryActionRunner.ClojureSet(missing)}");
        return template.Render(HasValue, i => written[i]).Sql;
    }

    private static bool IsSecret(string tag) => tag.StartsWith(SecretPrefix, StringComparison.Ordinal);

    private static string Escape(string value, Target target) => target switch
    {
        Target.Url => Uri.EscapeDataString(value),
        _ => JsonSerializer.Serialize(value, Escaping)[1..^1],
    };

    /// <summary>
    /// A header value as it can travel: characters a header cannot carry (controls, non-ASCII) are written as
    /// JSON escapes (<c>\n</c>, <c>\u00fc</c>); everything else is sent as it is.
    /// </summary>
    public static string HeaderValue(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~')) return value;
        var sb = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (c is >= ' ' and <= '~') sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{\s*secret:")]
    private static partial System.Text.RegularExpressions.Regex SpelledSecret();

    private static QueryTemplate Parse(string text)
    {
        try
        {
            return QueryTemplate.Parse(text, sqlAware: false);
        }
        catch (FormatException e)
        {
            throw new ExceptionError(400, "Problem building request: " + e.Message);
        }
    }
}
