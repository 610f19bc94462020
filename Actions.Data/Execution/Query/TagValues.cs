using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;

namespace Actions.Data.Execution.Query;

/// <summary>
/// A template tag's value bound by its tag type (execution.md), for query actions and native reads alike: the type says
/// which base type the value converts as, and the engine's one conversion (<see cref="IDatabaseEngine.TryToParameter"/>)
/// does the rest — so a value bound to a tag is stored and compared as the same value given to a column.
/// </summary>
public static class TagValues
{
    /// <summary>
    /// The parameter for a value of a tag of <paramref name="tagType"/> (<c>number</c>, <c>boolean</c>, <c>date</c>, else
    /// text); false when the value is not of that type. A number is an integer or a decimal; a date a date or an ISO-8601
    /// date-time (with an offset: an instant); text takes any JSON, a list or an object as its JSON text.
    /// </summary>
    public static bool TryToParameter(IDatabaseEngine engine, string tagType, JsonNode value, out object? parameter)
    {
        parameter = null;
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        switch (tagType)
        {
            case "number":
                var integer = kind == JsonValueKind.Number
                    ? value.AsValue().TryGetValue<long>(out _)
                    : kind == JsonValueKind.String && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
                return engine.TryToParameter(value, integer ? BaseTypes.BigInteger : BaseTypes.Decimal, out parameter);
            case "boolean":
                return engine.TryToParameter(value, BaseTypes.Boolean, out parameter);
            case "date":
                if (kind != JsonValueKind.String) return false;
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    return engine.TryToParameter(value, BaseTypes.Date, out parameter);
                if (text.Length < 10 || text[4] != '-' || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)) return false;
                return engine.TryToParameter(value, ColumnValues.HasOffset(text) ? BaseTypes.DateTimeWithTZ : BaseTypes.DateTime, out parameter);
            default:
                return engine.TryToParameter(kind is JsonValueKind.Object or JsonValueKind.Array ? JsonValue.Create(text) : value, BaseTypes.Text, out parameter);
        }
    }
}
