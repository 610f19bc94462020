using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;

namespace Actions.Data.Models;

/// <summary>What a card's <c>dataset_query</c> says: database, structured source table or native SQL, clauses.</summary>
public sealed record CardQuery(int DatabaseId, int? SourceTableId, string? NativeSql, bool HasClauses)
{
    /// <summary>Clauses that make a structured query more than "the whole table" (no implicit actions then).</summary>
    public static readonly string[] ClauseKeys = ["filter", "aggregation", "breakout", "order-by", "limit", "joins", "expressions", "fields"];

    public bool IsNative => NativeSql is not null;

    /// <summary>Parses and validates a dataset_query, adding failures under <c>dataset_query</c>.</summary>
    public static CardQuery? Parse(JsonNode? node, ValidationErrors errors)
    {
        const string key = "dataset_query";
        if (node is not JsonObject query)
        {
            errors.Add([key], "value must be a map with the keys `database` and `type`.", node?.DeepClone(), missing: node is null);
            return null;
        }
        var database = RequestBody.AsPositiveInt(query["database"]);
        if (database is null) errors.Add([key, "database"], RequestBody.PositiveIntText, query["database"]?.DeepClone(), query["database"] is null);
        var type = query["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        switch (type)
        {
            case "query":
                var inner = query["query"] as JsonObject;
                var table = RequestBody.AsPositiveInt(inner?["source-table"]);
                if (table is null) errors.Add([key, "query", "source-table"], RequestBody.PositiveIntText, inner?["source-table"]?.DeepClone(), inner?["source-table"] is null);
                if (database is null || table is null) return null;
                return new CardQuery(database.Value, table, null, ClauseKeys.Any(k => inner!.ContainsKey(k) && inner[k] is not null));
            case "native":
                var sql = query["native"] is JsonObject native && native["query"] is JsonValue q && q.GetValueKind() == JsonValueKind.String ? q.GetValue<string>() : null;
                if (string.IsNullOrWhiteSpace(sql)) errors.Add([key, "native", "query"], "value must be a non-blank string.", (query["native"] as JsonObject)?["query"]?.DeepClone(), sql is null);
                if (database is null || string.IsNullOrWhiteSpace(sql)) return null;
                return new CardQuery(database.Value, null, sql, false);
            default:
                errors.Add([key, "type"], "enum of query, native", query["type"]?.DeepClone(), query["type"] is null);
                return null;
        }
    }
}
