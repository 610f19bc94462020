using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;
using Actions.Data.Execution.Query;

namespace Actions.Data.Reading;

/// <summary>
/// Native SQL with Metabase's template syntax, rendered by the query actions' <see cref="QueryTemplate"/>: every
/// <c>{{tag}}</c> a placeholder with its value bound (never spliced), <c>[[ … ]]</c> kept only when its tags have values.
/// </summary>
internal static class NativeQuery
{
    public const string SeveralStatements = "Only one SQL statement can be run per query.";

    public static ReadPlan Plan(IDatabaseEngine engine, string sql, JsonObject templateTags, JsonArray parameters)
    {
        QueryTemplate template;
        try
        {
            template = QueryTemplate.Parse(sql, dialect: engine.Dialect);
        }
        catch (FormatException e)
        {
            throw new ReadFailure(e.Message);
        }
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var tag in template.TagNames)
        {
            var value = ValueOf(QueryActionRunner.ParameterFor(parameters, tag)?["value"], tag) ?? ValueOf(templateTags[tag]?["default"], tag);
            if (value is not null) values[tag] = value;
        }
        foreach (var tag in template.RequiredTagNames.Where(t => !values.ContainsKey(t)))
        {
            var display = templateTags[tag]?["display-name"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : tag;
            throw new ReadFailure($"You'll need to pick a value for '{display}' before this query can run.");
        }
        var (rendered, bound) = template.Render(values.ContainsKey, engine.Placeholder);
        if (SqlLexer.HasSeveralStatements(rendered, engine.Dialect)) throw new ReadFailure(SeveralStatements);
        var (statement, hasCode) = SqlLexer.FirstStatement(rendered, engine.Dialect);
        if (!hasCode) throw new ReadFailure("The query is empty.");
        var typed = bound.Select(tag => new ReadParameter(Convert(engine, tag, values[tag], TypeOf(templateTags, parameters, tag)), false)).ToList();
        return new ReadPlan(statement, typed, null, Capped: true, LimitedInSql: false);
    }

    /// <summary>A parameter's value: one value (a list of one is that value); null when there is none.</summary>
    private static JsonNode? ValueOf(JsonNode? value, string tag) => value switch
    {
        null => null,
        JsonArray { Count: 0 } => null,
        JsonArray { Count: 1 } one => one[0],
        JsonArray => throw new ReadFailure($"Only one value can be given for {{{{{tag}}}}}."),
        _ => value,
    };

    /// <summary>The tag's type (<c>text</c>, <c>number</c>, <c>date</c>, <c>boolean</c>): its template tag's, else its parameter's.</summary>
    private static string TypeOf(JsonObject templateTags, JsonArray parameters, string tag)
    {
        var type = Text(templateTags[tag]?["type"]) ?? Text(QueryActionRunner.ParameterFor(parameters, tag)?["type"]) ?? "text";
        var kind = type.Split('/')[0];
        return kind switch
        {
            "number" or "date" or "boolean" or "text" => kind,
            "category" or "string" or "id" => "text",
            _ => throw new ReadFailure($"Unsupported template tag type for {{{{{tag}}}}}: {type}"),
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static object? Convert(IDatabaseEngine engine, string tag, JsonNode value, string type) =>
        TagValues.TryToParameter(engine, type, value, out var parameter)
            ? parameter
            : throw new ReadFailure($"Error building query parameter map: {tag}: {value.ToJsonString()} is not a {type}");
}
