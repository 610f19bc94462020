using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.Errors;

/// <summary>
/// Reads keys of a JSON request body with Metabase's validation texts, collecting every failure.
/// A key sent as <c>null</c> is treated as absent (spec convention), unless the caller asks for presence.
/// </summary>
public sealed class RequestBody
{
    public const string PositiveIntText = "value must be an integer greater than zero.";
    public const string StringText = "string";
    public const string NonBlankText = "value must be a non-blank string.";
    public const string BooleanText = "boolean";
    public const string MapText = "map";

    private readonly JsonObject _root;
    private readonly string[] _prefix;

    public RequestBody(JsonNode? root) : this(root, [], new ValidationErrors()) { }

    private RequestBody(JsonNode? root, string[] prefix, ValidationErrors errors)
    {
        _root = root as JsonObject ?? [];
        IsObject = root is JsonObject;
        _prefix = prefix;
        Errors = errors;
    }

    /// <summary>A reader for a nested object whose failures nest under <paramref name="key"/> in the same errors.</summary>
    public RequestBody Nested(string key) => new(_root[key], [.. _prefix, key], Errors);

    public ValidationErrors Errors { get; }
    /// <summary>False when the body was JSON but not an object (e.g. an array).</summary>
    public bool IsObject { get; }
    public JsonObject Root => _root;

    public bool Has(string key) => _root.ContainsKey(key);
    public bool HasValue(string key) => _root[key] is not null;
    public JsonNode? Raw(string key) => _root[key];

    public string? String(string key, bool required = false, int? maxLength = null, bool nonBlank = false)
    {
        var node = _root[key];
        if (node is null)
        {
            if (required) Errors.Add([.. _prefix, key], nonBlank ? NonBlankText : StringText, null, missing: true);
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            Errors.Add([.. _prefix, key], nonBlank ? NonBlankText : StringText, node);
            return null;
        }
        var value = node.GetValue<string>();
        if (nonBlank && string.IsNullOrWhiteSpace(value))
        {
            Errors.Add([.. _prefix, key], NonBlankText, node);
            return null;
        }
        if (maxLength is { } max && value.Length > max)
        {
            Errors.Add([.. _prefix, key], $"string with length <= {max}", node);
            return null;
        }
        return value;
    }

    public int? PositiveInt(string key, bool required = false)
    {
        var node = _root[key];
        if (node is null)
        {
            if (required) Errors.Add([.. _prefix, key], PositiveIntText, null, missing: true);
            return null;
        }
        var value = AsPositiveInt(node);
        if (value is null) Errors.Add([.. _prefix, key], PositiveIntText, node);
        return value;
    }

    public bool? Boolean(string key, bool required = false)
    {
        var node = _root[key];
        if (node is null)
        {
            if (required) Errors.Add([.. _prefix, key], BooleanText, null, missing: true);
            return null;
        }
        if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return node.GetValue<bool>();
        Errors.Add([.. _prefix, key], BooleanText, node);
        return null;
    }

    public JsonObject? Map(string key, bool required = false)
    {
        var node = _root[key];
        if (node is null)
        {
            if (required) Errors.Add([.. _prefix, key], MapText, null, missing: true);
            return null;
        }
        if (node is JsonObject obj) return obj;
        Errors.Add([.. _prefix, key], MapText, node);
        return null;
    }

    public void ThrowIfInvalid() => Errors.ThrowIfAny();

    public static int? AsPositiveInt(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        // Parsed JSON holds a JsonElement; nodes built in code hold the .NET number they were made from.
        decimal d;
        if (v.TryGetValue(out decimal parsed)) d = parsed;
        else if (v.TryGetValue(out long l)) d = l;
        else if (v.TryGetValue(out int i)) d = i;
        else if (!decimal.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d)) return null;
        return d == decimal.Truncate(d) && d > 0 && d <= int.MaxValue ? (int)d : null;
    }

    /// <summary>A route id that matched the digits constraint but is not positive.</summary>
    public static int RouteId(string routeKey, int id)
    {
        if (id > 0) return id;
        throw ValidationError.For(routeKey, PositiveIntText, JsonValue.Create(id));
    }
}
