using Actions.Data.Errors;
using Actions.Data.Security;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>
/// API keys (superuser only). Each key acts as its own user, in All Users and the key's group; only the
/// SHA-256 of the key is stored, so the key is shown once, at creation or regeneration.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<AppDbContext> contexts, TimeProvider time)
{
    public async Task<ApiKeyDto> CreateAsync(Caller caller, string name, int groupId, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var group = await db.PermissionGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId, ct)
                    ?? throw ApiError.NotFound();
        if (await db.ApiKeys.AnyAsync(k => k.Name == name, ct))
            throw new FieldError(400, "name", "An API key with this name already exists.");
        var key = Tokens.NewApiKey();
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new AppUser
        {
            Email = $"api-key-{Guid.NewGuid():N}@api-key.invalid",
            FirstName = name,
            LastName = "",
            IsApiKeyUser = true,
            DateJoined = now,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        user.UserName = user.Email;
        user.NormalizedEmail = user.NormalizedUserName = user.Email.ToUpperInvariant();
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        db.GroupMemberships.Add(new GroupMembership { GroupId = PermissionGroup.AllUsersId, UserId = user.Id });
        if (groupId != PermissionGroup.AllUsersId) db.GroupMemberships.Add(new GroupMembership { GroupId = groupId, UserId = user.Id });
        var row = new ApiKey
        {
            Name = name, KeyHash = Tokens.Hash(key), MaskedKey = Tokens.Mask(key), GroupId = groupId, UserId = user.Id,
            CreatorId = caller.UserId, CreatedAt = now, UpdatedAt = now,
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(row, group, key);
    }

    public async Task<IReadOnlyList<ApiKeyDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var groups = await db.PermissionGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, ct);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct);
        return keys.Select(k => ToDto(k, groups[k.GroupId], null)).ToList();
    }

    public async Task<ApiKeyDto> RegenerateAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw ApiError.NotFound();
        var key = Tokens.NewApiKey();
        row.KeyHash = Tokens.Hash(key);
        row.MaskedKey = Tokens.Mask(key);
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        var group = await db.PermissionGroups.AsNoTracking().FirstAsync(g => g.Id == row.GroupId, ct);
        return ToDto(row, group, key);
    }

    /// <summary>Revokes a key at once. Its user stays (deactivated) so that history keeps its author.</summary>
    public async Task DeleteAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw ApiError.NotFound();
        var user = await db.Users.FirstAsync(u => u.Id == row.UserId, ct);
        user.IsActive = false;
        db.ApiKeys.Remove(row);
        await db.SaveChangesAsync(ct);
    }

    private static ApiKeyDto ToDto(ApiKey k, PermissionGroup g, string? unmasked) =>
        new(k.Id, k.Name, unmasked, k.MaskedKey, new ApiKeyGroupDto(g.Id, g.Name), k.CreatedAt, k.UpdatedAt);
}
