using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Secrets;

/// <summary>A named secret for HTTP action templates (<c>{{secret:NAME}}</c>), encrypted at rest.</summary>
public sealed class Secret
{
    public string Name { get; set; } = "";
    public string EncryptedValue { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> b)
    {
        b.ToTable("Secrets");
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(SecretService.NameLength);
    }
}

/// <summary>Named secrets (superuser only): values are encrypted with Data Protection and never returned or logged.</summary>
public sealed partial class SecretService(IDbContextFactory<AppDbContext> contexts, IDataProtectionProvider protection, TimeProvider time)
{
    public const int NameLength = 128;
    private readonly IDataProtector _protector = protection.CreateProtector("Actions.Secrets.v1");

    /// <summary>Names: letters, digits, underscore, dot and dash (what <c>{{secret:NAME}}</c> can spell).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Adds or replaces a secret.</summary>
    public async Task<JsonObject> SetAsync(Caller caller, string name, string value, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Secrets.FirstOrDefaultAsync(s => s.Name == name, ct);
        if (row is null)
        {
            row = new Secret { Name = name, CreatedAt = now };
            db.Secrets.Add(row);
        }
        row.EncryptedValue = _protector.Protect(value);
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return ToJson(row);
    }

    public async Task<JsonArray> ListAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Secrets.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        return new JsonArray(rows.Select(r => (JsonNode?)ToJson(r)).ToArray());
    }

    public async Task DeleteAsync(Caller caller, string name, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var deleted = await db.Secrets.Where(s => s.Name == name).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw ApiError.NotFound();
    }

    /// <summary>The decrypted values of the named secrets that exist (for one outbound call; never stored elsewhere).</summary>
    public async Task<Dictionary<string, string>> ValuesAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (names.Count == 0) return [];
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Secrets.AsNoTracking().Where(s => names.Contains(s.Name)).ToListAsync(ct);
        return rows.ToDictionary(r => r.Name, r => _protector.Unprotect(r.EncryptedValue), StringComparer.Ordinal);
    }

    private static JsonObject ToJson(Secret s) => new() { ["name"] = s.Name, ["created_at"] = s.CreatedAt, ["updated_at"] = s.UpdatedAt };

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex NamePattern();
}
