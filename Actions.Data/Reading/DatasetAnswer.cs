using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Actions.Data.Reading;

/// <summary>
/// Metabase's answer to a read (202, completed or failed), as <c>POST /api/dataset</c> and <c>POST /api/card/:id/query</c>
/// give it; written by the API's snake_case serializer.
/// </summary>
public sealed record DatasetAnswer(
    DatasetData Data,
    int RowCount,
    string Status,
    int DatabaseId,
    DateTime StartedAt,
    long RunningTime,
    JsonNode JsonQuery,
    string Context,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorType = null)
{
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string InvalidQuery = "invalid-query";
}

/// <summary>The <c>data</c> of an answer; a failed answer has only empty <c>rows</c> and <c>cols</c>.</summary>
public sealed record DatasetData(
    IReadOnlyList<JsonArray> Rows,
    IReadOnlyList<DatasetColumn> Cols,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NativeForm? NativeForm = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ResultsMetadata? ResultsMetadata = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ResultsTimezone = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RowsTruncated = null);

/// <summary>
/// A result column: <c>id</c> and <c>table_id</c> when it is a field of a table; <c>field_ref</c> by field id, else by name
/// with its base type; <c>source</c> <c>fields</c> or <c>native</c>.
/// </summary>
public sealed record DatasetColumn(
    string Name,
    string DisplayName,
    string BaseType,
    string EffectiveType,
    string? SemanticType,
    JsonArray FieldRef,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TableId,
    string Source);

/// <summary>The SQL that ran and the values bound to its placeholders, in order.</summary>
public sealed record NativeForm(string Query, JsonArray Params);

public sealed record ResultsMetadata(IReadOnlyList<DatasetColumn> Columns);
