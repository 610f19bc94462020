using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;

namespace Actions.Data.Execution.Implicit;

/// <summary>Converts request values to column parameters, and column values back to JSON, by base type and engine.</summary>
internal static class ColumnValues
{
    public enum Engine { Sqlite, Postgres, MySql }

    /// <summary>The database parameter for a JSON value; false when it does not convert to the column's type.</summary>
    public static bool TryToDatabase(JsonNode value, DbField field, Engine engine, out object? result)
    {
        result = null;
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        switch (field.BaseType)
        {
            case BaseTypes.Integer or BaseTypes.BigInteger:
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var l)) { result = l; return true; }
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<decimal>(out var dl) && dl == decimal.Truncate(dl) && dl is >= long.MinValue and <= long.MaxValue) { result = (long)dl; return true; }
                if (text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out l)) { result = l; return true; }
                if (kind is JsonValueKind.True or JsonValueKind.False && engine == Engine.Sqlite) { result = kind == JsonValueKind.True ? 1L : 0L; return true; }
                return false;
            case BaseTypes.Float or BaseTypes.Decimal:
                decimal m;
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue(out m)) { }
                else if (text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out m)) { }
                else if (kind == JsonValueKind.Number) { result = value.GetValue<double>(); return true; }
                else return false;
                result = engine == Engine.Sqlite || field.BaseType == BaseTypes.Float ? (object)(double)m : m;
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
                if (b is null) return false;
                result = engine == Engine.Sqlite ? (b.Value ? 1L : 0L) : b.Value;
                return true;
            case BaseTypes.Uuid:
                if (text is null || !Guid.TryParse(text, out var g)) return false;
                result = engine == Engine.Postgres ? g : g.ToString();
                return true;
            case BaseTypes.Date:
                if (text is null) return false;
                if (!DateOnly.TryParseExact(text.Length >= 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return false;
                result = engine switch
                {
                    Engine.Sqlite => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Engine.Postgres => date,
                    _ => date.ToDateTime(TimeOnly.MinValue),
                };
                return true;
            case BaseTypes.DateTime or BaseTypes.DateTimeWithTZ:
                if (text is null || text.Length < 10 || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp)) return false;
                if (field.BaseType == BaseTypes.DateTimeWithTZ)
                {
                    result = engine == Engine.Sqlite ? stamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture) : stamp.UtcDateTime;
                    return true;
                }
                var local = DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), DateTimeKind.Unspecified);
                if (text.EndsWith('Z') || text.LastIndexOfAny(['+']) > 10) local = DateTime.SpecifyKind(stamp.UtcDateTime, DateTimeKind.Unspecified);
                result = engine == Engine.Sqlite ? local.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') : local;
                return true;
            case BaseTypes.Time:
                if (text is null || !TimeOnly.TryParse(text, CultureInfo.InvariantCulture, out var time)) return false;
                result = engine switch
                {
                    Engine.Sqlite => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                    Engine.Postgres => time,
                    _ => time.ToTimeSpan(),
                };
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
                    string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
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
