using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;

namespace Actions.Data.Databases.Engines;

/// <summary>Reads connection details with one clear 400 per problem.</summary>
internal static class Details
{
    public static string RequiredString(JsonObject details, string key)
    {
        if (details[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } s) return s;
        throw new ExceptionError(400, $"Missing connection detail: {key}");
    }

    public static string? OptionalString(JsonObject details, string key) =>
        details[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static int Port(JsonObject details, int fallback)
    {
        var node = details["port"];
        if (node is null) return fallback;
        if (node is JsonValue v)
        {
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) && n is > 0 and < 65536) return n;
            if (v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), out var p) && p is > 0 and < 65536) return p;
        }
        throw new ExceptionError(400, "Connection detail port must be a number between 1 and 65535.");
    }

    public static bool Flag(JsonObject details, string key) =>
        details[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
}

/// <summary>Opening a provider connection the same way for every engine.</summary>
internal static class Connections
{
    /// <summary>Opens the connection; when opening fails it is disposed before the error goes on.</summary>
    public static async Task<DbConnection> OpenAsync(DbConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
