using System.Text.Json.Nodes;

namespace Actions.Data.Errors;

/// <summary>
/// A failure the caller caused and should be told about. Services throw these; the web layer renders each
/// subclass in exactly one place, in the body form the spec gives (plain, validation, exception).
/// </summary>
public abstract class ApiError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static PlainError NotFound() => new(404, "Not found.");
    public static PlainError Forbidden() => new(403, "You don't have permissions to do that.");
    public static PlainError BadRequest(string message) => new(400, message);
}

/// <summary>The whole body is the message, as text/plain.</summary>
public sealed class PlainError(int status, string message, int? retryAfterSeconds = null) : ApiError(status, message)
{
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public static PlainError TooManyAttempts(int seconds) =>
        new(429, $"Too many attempts! You must wait {seconds} seconds before trying again.", seconds);
}

/// <summary>Metabase's validation body: <c>{"errors": {…}, "specific-errors": {…}}</c>.</summary>
public sealed class ValidationError(ValidationErrors errors) : ApiError(400, "Invalid request.")
{
    public ValidationErrors Errors { get; } = errors;

    public static ValidationError For(string key, string expected, JsonNode? received, bool missing = false)
    {
        var errors = new ValidationErrors();
        errors.Add([key], expected, received, missing);
        return new ValidationError(errors);
    }
}

/// <summary>
/// Metabase's exception body: <c>{"message", "cause", "data": {…}, …data keys again at top level}</c>.
/// </summary>
public sealed class ExceptionError(int status, string message, string? cause = null,
    IReadOnlyDictionary<string, JsonNode?>? data = null, IReadOnlyDictionary<string, JsonNode?>? extraTopLevel = null)
    : ApiError(status, message)
{
    public string Cause { get; } = cause ?? message;
    public IReadOnlyDictionary<string, JsonNode?> Details { get; } = data ?? new Dictionary<string, JsonNode?>();
    /// <summary>Keys shown only at top level (e.g. <c>errors</c> of constraint failures).</summary>
    public IReadOnlyDictionary<string, JsonNode?> ExtraTopLevel { get; } = extraTopLevel ?? new Dictionary<string, JsonNode?>();
}

/// <summary>Accumulates every failing key so one answer names them all.</summary>
public sealed class ValidationErrors
{
    /// <summary>Received values are shown as the client wrote them, without HTML-safe escapes.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions ReceivedJson =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonObject _errors = [];
    private readonly JsonObject _specific = [];

    public bool Any => _errors.Count > 0;

    /// <param name="path">Key path; nested keys nest in both maps (<c>template.method</c>).</param>
    /// <param name="expected">What is expected, e.g. <c>string</c>.</param>
    /// <param name="received">The value received, or null for null/absent.</param>
    /// <param name="missing">The key was required and absent or null.</param>
    public void Add(IReadOnlyList<string> path, string expected, JsonNode? received, bool missing = false)
    {
        var shown = received is null ? "nil" : received.ToJsonString(ReceivedJson);
        var specific = missing ? "missing required key, received: nil" : $"{expected}, received: {shown}";
        Leaf(_errors, path)[path[^1]] = expected;
        Leaf(_specific, path)[path[^1]] = new JsonArray(specific);
    }

    public void ThrowIfAny()
    {
        if (Any) throw new ValidationError(this);
    }

    public JsonObject ToJson() => new()
    {
        ["errors"] = _errors.DeepClone(),
        ["specific-errors"] = _specific.DeepClone(),
    };

    private static JsonObject Leaf(JsonObject root, IReadOnlyList<string> path)
    {
        var node = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (node[path[i]] is not JsonObject child)
            {
                child = [];
                node[path[i]] = child;
            }
            node = child;
        }
        return node;
    }
}

/// <summary>Metabase's field-error body without specifics: <c>{"errors": {"password": "…"}}</c>.</summary>
public sealed class FieldError(int status, string field, string message) : ApiError(status, message)
{
    public string Field { get; } = field;
}

/// <summary>A row the database refused: <c>{"message", "errors": {&lt;parameter id&gt;: text}}</c>.</summary>
public sealed class RowError(string message, IReadOnlyDictionary<string, string>? errors = null) : ApiError(400, message)
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors ?? new Dictionary<string, string>();
}
