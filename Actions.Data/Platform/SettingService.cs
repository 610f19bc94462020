using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

public sealed record SettingDto(string Key, JsonNode? Value, JsonNode? Default, string Description);

/// <summary>
/// Admin settings. Values are JSON, validated by kind; reads are served from memory (settings are checked on
/// every public request), kept until the store version moves on (a write bumps it).
/// </summary>
public sealed class SettingService(IDbContextFactory<AppDbContext> contexts, DefinitionCache cache)
{
    public const string EnablePublicSharing = "enable-public-sharing";
    public const string SiteUrl = "site-url";
    public const string SiteName = "site-name";

    private sealed record Definition(string Key, JsonValueKind Kind, JsonNode? Default, string Description);

    private static readonly Definition[] Definitions =
    [
        new(EnablePublicSharing, JsonValueKind.True, false, "Enable admins to create publicly viewable links for actions."),
        new(SiteUrl, JsonValueKind.String, null, "The base URL of this app, used to build the public links shown in the app."),
        new(SiteName, JsonValueKind.String, "Actions", "The name used for this instance."),
    ];

    public async Task<IReadOnlyList<SettingDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        var stored = await StoredAsync(ct);
        return Definitions.Select(d => new SettingDto(d.Key, Current(stored, d)?.DeepClone(), d.Default?.DeepClone(), d.Description)).ToList();
    }

    public async Task<JsonNode?> GetAsync(Caller caller, string key, CancellationToken ct)
    {
        caller.RequireSuperuser();
        var definition = Find(key);
        return Current(await StoredAsync(ct), definition)?.DeepClone();
    }

    /// <summary>Sets a value; <c>null</c> goes back to the default.</summary>
    public async Task SetAsync(Caller caller, string key, JsonNode? value, CancellationToken ct)
    {
        caller.RequireSuperuser();
        var definition = Find(key);
        if (value is not null)
        {
            var kind = value.GetValueKind();
            var ok = definition.Kind == JsonValueKind.True ? kind is JsonValueKind.True or JsonValueKind.False : kind == definition.Kind;
            if (!ok) throw ValidationError.For("value", definition.Kind == JsonValueKind.True ? "boolean" : "string", value);
            if (key == SiteUrl)
            {
                var text = value.GetValue<string>();
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    throw ValidationError.For("value", "an absolute http or https URL", value);
                value = text.TrimEnd('/');
            }
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct);
        if (value is null)
        {
            if (row is not null) db.Settings.Remove(row);
        }
        else if (row is null) db.Settings.Add(new AppSetting { Key = key, Value = value.ToJsonString() });
        else row.Value = value.ToJsonString();
        await db.SaveChangesAsync(ct);
    }

    public async Task<bool> PublicSharingEnabledAsync(CancellationToken ct)
    {
        return Current(await StoredAsync(ct), Find(EnablePublicSharing))?.GetValue<bool>() ?? false;
    }

    public async Task<string?> StringAsync(string key, CancellationToken ct)
    {
        return Current(await StoredAsync(ct), Find(key))?.GetValue<string>();
    }

    private static JsonNode? Current(Dictionary<string, JsonNode?> stored, Definition d) =>
        stored.TryGetValue(d.Key, out var v) && v is not null ? v : d.Default;

    private static Definition Find(string key) => Definitions.FirstOrDefault(d => d.Key == key) ?? throw ApiError.NotFound();

    /// <summary>The stored values by key; only read once loaded (callers clone what they hand out).</summary>
    private ValueTask<Dictionary<string, JsonNode?>> StoredAsync(CancellationToken ct) =>
        cache.GetOrLoadAsync(new DefinitionCache.Key("settings"), (contexts, ct), static async s =>
        {
            var (contexts, ct) = s;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var rows = await db.Settings.AsNoTracking().ToListAsync(ct);
            return rows.ToDictionary(r => r.Key, r => JsonNode.Parse(r.Value));
        });
}
