using System.Text.Json.Nodes;
using Actions.Data.Databases;

namespace Actions.Data.Reading;

/// <summary>A value bound to a placeholder; <see cref="ForColumn"/> when compared with a column (bound as the column's own type where the engine can).</summary>
internal sealed record ReadParameter(object? Value, bool ForColumn);

/// <summary>
/// The SQL of a read and its values. <see cref="Columns"/> are known for MBQL (from the fields) and null for native SQL
/// (read from the result). <see cref="LimitedInSql"/>: the SQL itself stops at the row cap. <see cref="Order"/>: the
/// sort terms, for a query reading this one as a subquery (whose order no engine has to keep).
/// </summary>
internal sealed record ReadPlan(string Sql, IReadOnlyList<ReadParameter> Parameters, IReadOnlyList<DatasetColumn>? Columns, bool Capped, bool LimitedInSql,
    IReadOnlyList<OrderTerm>? Order = null);

/// <summary>One sort term: a column of the result and its direction.</summary>
internal sealed record OrderTerm(string Column, bool Descending);

/// <summary>Why a read could not run or failed in the database: the failed answer's <c>error</c>.</summary>
internal sealed class ReadFailure(string message) : Exception(message);

/// <summary>The columns of results as Metabase describes them.</summary>
internal static class Columns
{
    public static DatasetColumn Native(string name, string baseType) =>
        new(name, name, baseType, baseType, null, new JsonArray("field", name, new JsonObject { ["base-type"] = baseType }), null, null, "native");

    public static DatasetColumn Field(DbField field, int tableId) =>
        new(field.Name, field.DisplayName, field.BaseType, field.BaseType, field.SemanticType, new JsonArray("field", field.Id, null), field.Id, tableId, "fields");
}
