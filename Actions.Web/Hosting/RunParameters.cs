using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Web.Hosting;

/// <summary>The parameters of a logged run as name and value for people; a value the log did not keep is null.</summary>
public static class RunParameters
{
    /// <summary>What the execution log writes in place of a value it does not keep.</summary>
    public const string Redacted = "<redacted>";

    public static IReadOnlyList<(string Name, string? Value)> From(JsonNode? parameters) =>
        parameters is JsonObject values
            ? values.Select(p => (p.Key, Text(p.Value))).ToList()
            : [];

    private static string? Text(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is var s && s == Redacted ? null : s,
        _ => value.ToJsonString(),
    };
}
