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
public static class HttpRequestTemplate
{
    public const string SecretPrefix = "secret:";
    public enum Target { Url, Body, Headers }

    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The secret names a template text refers to.</summary>
    public static IEnumerable<string> SecretNames(string? text) =>
        text is null ? [] : Parse(text).TagNames.Where(t => t.StartsWith(SecretPrefix, StringComparison.Ordinal)).Select(t => t[SecretPrefix.Length..]);

    /// <param name="value">The value of a parameter id: null when absent; a JSON null when sent as null.</param>
    public static string Render(string text, Target target, Func<string, (bool Present, JsonNode? Value)> value, IReadOnlyDictionary<string, string> secrets)
    {
        var template = Parse(text);
        var missing = new List<string>();
        string? ValueText(string tag)
        {
            if (tag.StartsWith(SecretPrefix, StringComparison.Ordinal))
            {
                var name = tag[SecretPrefix.Length..];
                return secrets.TryGetValue(name, out var secret) ? secret : throw new ExceptionError(400, $"Problem building request: unknown secret: {name}");
            }
            var (present, v) = value(tag);
            if (!present) return null;
            return v switch
            {
                null => "",
                JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>(),
                _ => v.ToJsonString(),
            };
        }
        bool HasValue(string tag) => tag.StartsWith(SecretPrefix, StringComparison.Ordinal) || value(tag) is { Present: true, Value: not null };

        var values = new List<string>();
        var (rendered, bound) = template.Render(HasValue, i => "\u0000" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u0000");
        foreach (var tag in bound)
        {
            var v = ValueText(tag);
            if (v is null) missing.Add(tag);
            values.Add(v ?? "");
        }
        if (missing.Count > 0)
            throw new ExceptionError(400, $"Problem building request: Cannot call the service: missing required parameters: {QueryActionRunner.ClojureSet(missing)}");
        var result = new StringBuilder();
        var parts = rendered.Split('\u0000');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 0)
            {
                result.Append(parts[i]);
                continue;
            }
            result.Append(Escape(values[int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)], target));
        }
        return result.ToString();
    }

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
