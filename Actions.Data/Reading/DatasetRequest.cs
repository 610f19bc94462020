using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;

namespace Actions.Data.Reading;

/// <summary>
/// A read as <c>POST /api/dataset</c> takes it (data-api.md): a native query with its template tags and parameter values,
/// or an MBQL query (checked clause by clause when it is compiled, where a problem is a failed answer, not a 400).
/// </summary>
public sealed record DatasetRequest(int DatabaseId, string? NativeSql, JsonObject TemplateTags, JsonObject? Query, JsonArray Parameters, JsonNode JsonQuery)
{
    public bool IsNative => NativeSql is not null;

    /// <summary>Reads the body; what is malformed is a validation 400 under its key.</summary>
    public static DatasetRequest Parse(RequestBody body)
    {
        if (!body.IsObject) throw ValidationError.For(JsonBody.RootKey, RequestBody.MapText, body.Root.DeepClone());
        var database = body.PositiveInt("database", required: true);
        var type = body.String("type", required: true);
        if (type is not null and not ("native" or "query")) body.Errors.Add(["type"], "enum of query, native", body.Raw("type")!.DeepClone());
        string? sql = null;
        JsonObject? tags = null;
        JsonObject? query = null;
        if (type == "native" && body.Map("native", required: true) is not null)
        {
            var native = body.Nested("native");
            sql = native.String("query", required: true, nonBlank: true);
            tags = native.Map("template-tags");
        }
        if (type == "query") query = body.Map("query", required: true);
        var parameters = body.Raw("parameters");
        if (parameters is not null and not JsonArray) body.Errors.Add(["parameters"], ParametersText, parameters.DeepClone());
        body.ThrowIfInvalid();
        return new DatasetRequest(database!.Value, sql, (JsonObject?)tags?.DeepClone() ?? [], (JsonObject?)query?.DeepClone(),
            (JsonArray?)parameters?.DeepClone() ?? [], body.Root.DeepClone());
    }

    /// <summary>The <c>parameters</c> of <c>POST /api/card/:id/query</c> (an empty body has none).</summary>
    public static JsonArray CardParameters(JsonNode? node)
    {
        if (node is null) return [];
        if (node is not JsonObject) throw ValidationError.For(JsonBody.RootKey, RequestBody.MapText, node.DeepClone());
        var body = new RequestBody(node);
        var parameters = body.Raw("parameters");
        if (parameters is not null and not JsonArray) body.Errors.Add(["parameters"], ParametersText, parameters.DeepClone());
        body.ThrowIfInvalid();
        return (JsonArray?)parameters?.DeepClone() ?? [];
    }

    private const string ParametersText = "sequence of parameter maps";

    /// <summary>A card's stored <c>dataset_query</c> as a request; null when it is not one (it was checked when saved).</summary>
    public static DatasetRequest? FromStored(string json)
    {
        try
        {
            return Parse(new RequestBody(JsonBody.Parse(json)));
        }
        catch (Exception e) when (e is ApiError or JsonException)
        {
            return null;
        }
    }
}
