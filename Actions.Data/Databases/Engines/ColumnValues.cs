using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.Databases.Engines;

/// <summary>
/// The one conversion between JSON and column values, by base type, shared by the read path, the query actions and the
/// implicit actions. A JSON value is first read as an engine-neutral .NET value (<see cref="TryRead"/>), which the engine
/// then turns into what it binds (<see cref="IDatabaseEngine.ToParameter"/>); a column value comes back as JSON by
/// <see cref="ToJson"/>.
/// </summary>
internal static class ColumnValues
{
    /// <summary>
    /// A JSON value as the engine-neutral value of a column of the base type; false when it does not convert. Integer:
    /// <see cref="long"/>; Float: <see cref="double"/>; Decimal: <see cref="decimal"/> (<see cref="double"/> beyond its
    /// range); Boolean: <see cref="bool"/>; UUID: <see cref="Guid"/>; Date: <see cref="DateOnly"/>; DateTime: an
    /// unspecified-kind <see cref="System.DateTime"/>, as written or, when the text has an offset, in UTC; DateTimeWithTZ: a
    /// UTC <see cref="System.DateTime"/> (a text without offset is UTC); Time: <see cref="TimeOnly"/>; anything else: text.
    /// <paramref name="booleansAreIntegers"/>: the engine stores booleans as 0/1, so an integer column takes true/false.
    /// </summary>
    public static bool TryRead(JsonNode value, string baseType, bool booleansAreIntegers, out object? result)
    {
        result = null;
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        switch (baseType)
        {
            case BaseTypes.Integer or BaseTypes.BigInteger:
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var l)) { result = l; return true; }
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<decimal>(out var dl) && dl == decimal.Truncate(dl) && dl is >= long.MinValue and <= long.MaxValue) { result = (long)dl; return true; }
                if (text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out l)) { result = l; return true; }
                if (kind is JsonValueKind.True or JsonValueKind.False && booleansAreIntegers) { result = kind == JsonValueKind.True ? 1L : 0L; return true; }
                return false;
            case BaseTypes.Float or BaseTypes.Decimal:
                decimal m;
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue(out m)) { }
                else if (text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out m)) { }
                else if (kind == JsonValueKind.Number) { result = value.GetValue<double>(); return true; }
                else return false;
                result = baseType == BaseTypes.Float ? (object)(double)m : m;
                return true;
            case BaseTypes.Boolean:
                bool? b = kind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String when bool.TryParse(text, out var pb) => pb,
                    JsonValueKind.Number when value.AsValue().TryGetValue<long>(out var n) && n is 0 or 1 => n == 1,
                    _ => null,
                };
                result = b;
                return b is not null;
            case BaseTypes.Uuid:
                if (text is null || !Guid.TryParse(text, out var g)) return false;
                result = g;
                return true;
            case BaseTypes.Date:
                if (text is null) return false;
                if (!DateOnly.TryParseExact(text.Length >= 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return false;
                result = date;
                return true;
            case BaseTypes.DateTime or BaseTypes.DateTimeWithTZ:
                if (text is null || text.Length < 10 || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp)) return false;
                result = baseType == BaseTypes.DateTimeWithTZ ? stamp.UtcDateTime
                    : DateTime.SpecifyKind(HasOffset(text) ? stamp.UtcDateTime : stamp.DateTime, DateTimeKind.Unspecified);
                return true;
            case BaseTypes.Time:
                if (text is null || !TimeOnly.TryParse(text, CultureInfo.InvariantCulture, out var time)) return false;
                result = time;
                return true;
            default:
                result = kind switch
                {
                    JsonValueKind.String => text,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
                    _ => null,
                };
                return result is not null;
        }
    }

    /// <summary>Whether an ISO-8601 date-time names its offset (<c>Z</c>, <c>+hh:mm</c> or <c>-hh:mm</c> after the date).</summary>
    public static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > 10;

    /// <summary>SQLite's own date-time text (what <c>datetime()</c> and <c>CURRENT_TIMESTAMP</c> write, and ISO-8601), with the fraction when there is one.</summary>
    public static string SqliteDateTime(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');

    /// <summary>A column value as JSON by base type: numbers, true/false (also from 0/1), dates as YYYY-MM-DD, timestamps as ISO-8601.</summary>
    public static JsonNode? ToJson(object? value, string baseType)
    {
        if (value is null or DBNull) return null;
        switch (baseType)
        {
            case BaseTypes.Boolean:
                return value switch
                {
                    bool b => b,
                    long or int or short or byte or sbyte or ulong => JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0),
                    string s when bool.TryParse(s, out var pb) => pb,
                    string s when long.TryParse(s, out var n) => n != 0,
                    _ => JsonValue.Create(value.ToString()),
                };
            case BaseTypes.Date:
                return value switch
                {
                    DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    string s when s.Length >= 10 && DateOnly.TryParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    _ => JsonValue.Create(value.ToString()),
                };
            case BaseTypes.DateTime:
                return value switch
                {
                    DateTime d => d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
                    string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) => d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
                    _ => JsonValue.Create(value.ToString()),
                };
            case BaseTypes.DateTimeWithTZ:
                return value switch
                {
                    DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
                    DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
                    string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
                    _ => JsonValue.Create(value.ToString()),
                };
            case BaseTypes.Time:
                return value switch
                {
                    TimeSpan t => t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
                    TimeOnly t => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                    _ => JsonValue.Create(value.ToString()),
                };
        }
        return value switch
        {
            bool b => b,
            long or int or short or byte or sbyte or ushort or uint or ulong => JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            double d => double.IsFinite(d) ? d : null,
            float f => (double)f,
            decimal m => m,
            Guid g => g.ToString(),
            DateTime d => d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToBase64String(bytes),
            string s when baseType == BaseTypes.Json => TryParseJson(s),
            _ => JsonValue.Create(value.ToString()),
        };
    }

    private static JsonNode? TryParseJson(string s)
    {
        try
        {
            return JsonNode.Parse(s);
        }
        catch (JsonException)
        {
            return s;
        }
    }
}
