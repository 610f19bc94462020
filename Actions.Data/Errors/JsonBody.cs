using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.Errors;

/// <summary>
/// Reads JSON that a client sent (request bodies, JSON in query strings) into a tree every later step can use
/// without failing: malformed JSON is a plain 400 <c>Invalid JSON: …</c>; JSON that parses but that no step
/// could handle — nested deeper than <see cref="MaxDepth"/>, a key twice in one object, a string that is not
/// valid Unicode (a lone surrogate escape, invalid UTF-8) — is a validation 400 under the key that holds it.
/// </summary>
public static class JsonBody
{
    /// <summary>Deepest nesting accepted in a request (the body itself is level 1).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Deepest nesting the API writes: any stored value (at most <see cref="MaxDepth"/> deep) inside the deepest
    /// answer that embeds one (a list of objects holding it) stays well within.
    /// </summary>
    public const int MaxWriteDepth = 2 * MaxDepth;

    public const string DuplicateKeyText = "each key may appear only once.";
    public const string InvalidTextText = "valid Unicode text (no lone surrogates or invalid UTF-8).";
    public static readonly string TooDeepText = $"JSON nested at most {MaxDepth} levels deep.";

    /// <summary>The key a failure is reported under when it is in the body itself rather than in one of its keys.</summary>
    public const string RootKey = "body";

    /// <summary>Parses client JSON; an empty input is null.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return null;
        Check(utf8);
        return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth });
    }

    public static JsonNode? Parse(string text) => Parse(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>One open object or array while checking: its keys so far, or its position.</summary>
    private sealed class Container(bool isObject)
    {
        public HashSet<string>? Keys { get; } = isObject ? new(StringComparer.Ordinal) : null;
        public string? Key { get; set; }
        public int Index { get; set; }
        public string Segment => Keys is null ? Index.ToString(System.Globalization.CultureInfo.InvariantCulture) : Key!;
    }

    /// <summary>One pass over the tokens (no recursion, so any nesting is safe to look at).</summary>
    private static void Check(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var open = new List<Container>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (open.Count + 1 > MaxDepth) throw Invalid(open[0].Keys is null ? [] : PathOf(open).Take(1).ToList(), TooDeepText);
                        open.Add(new Container(reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.RemoveAt(open.Count - 1);
                        ValueDone(open);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader, open);
                        var container = open[^1];
                        container.Key = name;
                        if (!container.Keys!.Add(name)) throw Invalid(PathOf(open), DuplicateKeyText);
                        break;
                    default:
                        if (reader.TokenType == JsonTokenType.String) Text(ref reader, open);
                        ValueDone(open);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest("Invalid JSON: " + e.Message);
        }
    }

    /// <summary>A value ended: an array moves to its next position.</summary>
    private static void ValueDone(List<Container> open)
    {
        if (open.Count == 0) return;
        if (open[^1].Keys is null) open[^1].Index++;
        else open[^1].Key = null;
    }

    /// <summary>Where the reader is, as keys (array positions as digits); a key not yet read ends the path.</summary>
    private static List<string> PathOf(List<Container> open) =>
        open.TakeWhile(c => c.Keys is null || c.Key is not null).Select(c => c.Segment).ToList();

    /// <summary>A string token as text; lone surrogates and invalid UTF-8 are a validation error under its key.</summary>
    private static string Text(ref Utf8JsonReader reader, List<Container> open)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(PathOf(open), InvalidTextText);
        }
    }

    private static ValidationError Invalid(IReadOnlyList<string> path, string text)
    {
        var errors = new ValidationErrors();
        errors.Add(path.Count == 0 ? [RootKey] : path, text, null);
        return new ValidationError(errors);
    }
}
