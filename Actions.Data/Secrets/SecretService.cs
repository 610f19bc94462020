using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Secrets;

/// <summary>A named secret for HTTP action templates (<c>{{secret:NAME}}</c>), encrypted at rest, bound to the hosts it may be sent to.</summary>
public sealed class Secret
{
    public string Name { get; set; } = "";
    public string EncryptedValue { get; set; } = "";
    /// <summary>The <c>allowed_hosts</c> as a JSON array of strings; <c>[]</c> (secrets made before hosts existed) allows none.</summary>
    public string AllowedHostsJson { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> b)
    {
        b.ToTable("Secrets");
        b.HasKey(s => s.Name);
        // Names made before the 100-character rule may be longer: the column keeps its width.
        b.Property(s => s.Name).HasMaxLength(128);
        b.Property(s => s.AllowedHostsJson).HasColumnName("AllowedHosts").HasDefaultValue("[]");
    }
}

/// <summary>A secret as one run uses it: its value and the hosts a request carrying it may go to.</summary>
public sealed record SecretForRun(string Value, IReadOnlyList<string> AllowedHosts);

/// <summary>What a create or update asks for; absent parts are null.</summary>
public sealed record SecretInput(string? Name, string? Value, IReadOnlyList<string>? AllowedHosts);

/// <summary>Named secrets (superuser only): values are encrypted with Data Protection and never returned or logged.</summary>
public sealed partial class SecretService(IDbContextFactory<AppDbContext> contexts, IDataProtectionProvider protection, TimeProvider time)
{
    public const int NameLength = 100;
    public const string NameText = "value must be a secret name: a letter or _, then letters, digits or _, at most 100 characters.";
    public const string ValueText = "string with length >= 1";
    public const string HostsText = "value must be a non-empty list of host names, *.domain patterns or IP addresses.";
    public const string DuplicateMessage = "A secret with that name already exists.";
    private readonly IDataProtector _protector = protection.CreateProtector("Actions.Secrets.v1");

    /// <summary>Names: what <c>{{secret:NAME}}</c> can spell, <c>[A-Za-z_][A-Za-z0-9_]*</c>, at most 100 characters.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Reads a create (every key required) or update (value and/or allowed_hosts) body; validation 400 when invalid.</summary>
    public static SecretInput Read(RequestBody body, bool creating)
    {
        string? name = null;
        var nameNode = body.Raw("name");
        if (creating && nameNode?.GetValueKind() == JsonValueKind.String && IsValidName(nameNode.GetValue<string>())) name = nameNode.GetValue<string>();
        else if (creating) body.Errors.Add(["name"], NameText, nameNode, missing: nameNode is null);

        var value = body.String("value", required: creating);
        if (value is { Length: 0 }) body.Errors.Add(["value"], ValueText, body.Raw("value"));
        var hostsNode = body.Raw("allowed_hosts");
        var hosts = hostsNode is JsonArray list && list.Count is > 0 and <= SecretHosts.MaxEntries
            && list.All(h => h?.GetValueKind() == JsonValueKind.String && SecretHosts.IsValid(h.GetValue<string>()))
            ? list.Select(h => h!.GetValue<string>()).ToList()
            : null;
        if (!creating && value is null && hostsNode is null && !body.Errors.Any)
        {
            // An update names at least one of the two.
            body.Errors.Add(["value"], ValueText, null, missing: true);
            body.Errors.Add(["allowed_hosts"], HostsText, null, missing: true);
        }
        else if (hosts is null && (hostsNode is not null || creating))
        {
            body.Errors.Add(["allowed_hosts"], HostsText, hostsNode, missing: hostsNode is null);
        }
        body.ThrowIfInvalid();
        return new SecretInput(name, value, hosts);
    }

    /// <summary>Adds a secret: plain 400 when the name is taken.</summary>
    public async Task<JsonObject> CreateAsync(Caller caller, SecretInput input, CancellationToken ct)
    {
        caller.RequireSuperuser();
        Check(input, creating: true);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Secrets.AnyAsync(s => s.Name == input.Name, ct)) throw ApiError.BadRequest(DuplicateMessage);
        var now = time.GetUtcNow().UtcDateTime;
        var row = new Secret
        {
            Name = input.Name!, EncryptedValue = _protector.Protect(input.Value!), AllowedHostsJson = JsonSerializer.Serialize(input.AllowedHosts),
            CreatedAt = now, UpdatedAt = now,
        };
        db.Secrets.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request made the same name meanwhile.
            await using var fresh = await contexts.CreateDbContextAsync(ct);
            if (await fresh.Secrets.AnyAsync(s => s.Name == input.Name, ct)) throw ApiError.BadRequest(DuplicateMessage);
            throw;
        }
        return ToJson(row);
    }

    /// <summary>Replaces the value and/or the hosts of an existing secret (404 when there is none).</summary>
    public async Task<JsonObject> UpdateAsync(Caller caller, string name, SecretInput input, CancellationToken ct)
    {
        caller.RequireSuperuser();
        Check(input, creating: false);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Secrets.FirstOrDefaultAsync(s => s.Name == name, ct) ?? throw ApiError.NotFound();
        if (input.Value is { } value) row.EncryptedValue = _protector.Protect(value);
        if (input.AllowedHosts is { } hosts) row.AllowedHostsJson = JsonSerializer.Serialize(hosts);
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return ToJson(row);
    }

    /// <summary>Every secret without its value, by name (case-insensitive, then ordinal: the same on every store).</summary>
    public async Task<JsonArray> ListAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Secrets.AsNoTracking().ToListAsync(ct);
        return new JsonArray(rows.OrderByName(r => r.Name)
            .Select(r => (JsonNode?)ToJson(r)).ToArray());
    }

    public async Task DeleteAsync(Caller caller, string name, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var deleted = await db.Secrets.Where(s => s.Name == name).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw ApiError.NotFound();
    }

    /// <summary>The named secrets that exist, decrypted, with their hosts (for one outbound call; never stored elsewhere).</summary>
    public async Task<Dictionary<string, SecretForRun>> ForRunAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (names.Count == 0) return [];
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Secrets.AsNoTracking().Where(s => names.Contains(s.Name)).ToListAsync(ct);
        return rows.ToDictionary(r => r.Name, r => new SecretForRun(_protector.Unprotect(r.EncryptedValue), HostsOf(r)), StringComparer.Ordinal);
    }

    /// <summary>The same rules as <see cref="Read"/>, for callers that do not come through a request body (the secrets page).</summary>
    private static void Check(SecretInput input, bool creating)
    {
        var body = new JsonObject { ["value"] = input.Value, ["allowed_hosts"] = input.AllowedHosts is { } hosts ? new JsonArray(hosts.Select(h => (JsonNode?)h).ToArray()) : null };
        if (creating) body["name"] = input.Name;
        Read(new RequestBody(body), creating);
    }

    private static List<string> HostsOf(Secret s)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(s.AllowedHostsJson) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static JsonObject ToJson(Secret s) => new()
    {
        ["name"] = s.Name,
        ["allowed_hosts"] = new JsonArray(HostsOf(s).Select(h => (JsonNode?)h).ToArray()),
        ["created_at"] = s.CreatedAt,
        ["updated_at"] = s.UpdatedAt,
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,99}\z")]
    private static partial Regex NamePattern();
}
