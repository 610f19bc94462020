using Actions.Data.Security;
using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>Users and their group memberships (superuser = member of Administrators).</summary>
public sealed class UserService(IDbContextFactory<AppDbContext> contexts, IPasswordHasher<AppUser> hasher,
    TimeProvider time)
{
    public sealed record NewUser(string Email, string FirstName, string LastName, string? Password);

    /// <summary>Creates a user in All Users (and Administrators when <paramref name="superuser"/>).</summary>
    public async Task<UserDto> CreateAsync(NewUser input, bool superuser, CancellationToken ct)
    {
        if (input.Password is { } pw && PasswordPolicy.Check(pw) is { } reason)
            throw new FieldError(400, "password", reason);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var normalized = input.Email.Trim().ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
            throw new FieldError(400, "email", "Email address already in use.");
        var user = new AppUser
        {
            Email = input.Email.Trim(),
            NormalizedEmail = normalized,
            UserName = input.Email.Trim(),
            NormalizedUserName = normalized,
            FirstName = input.FirstName,
            LastName = input.LastName,
            DateJoined = time.GetUtcNow().UtcDateTime,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        // Without a password (invited user) the account cannot sign in until an admin sets one.
        if (input.Password is not null) user.PasswordHash = hasher.HashPassword(user, input.Password);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        db.GroupMemberships.Add(new GroupMembership { GroupId = PermissionGroup.AllUsersId, UserId = user.Id });
        if (superuser) db.GroupMemberships.Add(new GroupMembership { GroupId = PermissionGroup.AdministratorsId, UserId = user.Id });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await GetCoreAsync(db, user.Id, ct))!;
    }

    /// <summary>Every user (not API-key users); deactivated ones only when asked for, as Metabase lists them.</summary>
    public async Task<ListPage<UserDto>> ListAsync(Caller caller, CancellationToken ct, bool includeDeactivated = false)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking().Where(u => !u.IsApiKeyUser && (includeDeactivated || u.IsActive)).OrderBy(u => u.Id).ToListAsync(ct);
        var memberships = await db.GroupMemberships.AsNoTracking().ToListAsync(ct);
        var byUser = memberships.ToLookup(m => m.UserId, m => m.GroupId);
        var data = users.Select(u => ToDto(u, byUser[u.Id].Order().ToList())).ToList();
        return new ListPage<UserDto>(data, data.Count);
    }

    public async Task<UserDto> GetAsync(Caller caller, int id, CancellationToken ct)
    {
        if (caller.UserId != id) caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await GetCoreAsync(db, id, ct) ?? throw ApiError.NotFound();
    }

    public sealed record UserChanges(string? Email, string? FirstName, string? LastName, bool? IsSuperuser);

    /// <summary>Superusers change anyone; a user may change their own names and email, never their role.</summary>
    public async Task<UserDto> UpdateAsync(Caller caller, int id, UserChanges changes, CancellationToken ct)
    {
        if (caller.UserId != id || changes.IsSuperuser is not null) caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) ?? throw ApiError.NotFound();
        if (changes.Email is { } email)
        {
            var normalized = email.Trim().ToUpperInvariant();
            if (normalized != user.NormalizedEmail && await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
                throw new FieldError(400, "email", "Email address already in use.");
            user.Email = user.UserName = email.Trim();
            user.NormalizedEmail = user.NormalizedUserName = normalized;
        }
        if (changes.FirstName is { } first) user.FirstName = first;
        if (changes.LastName is { } last) user.LastName = last;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (changes.IsSuperuser is { } makeSuper)
        {
            var admin = await db.GroupMemberships.FirstOrDefaultAsync(
                m => m.UserId == id && m.GroupId == PermissionGroup.AdministratorsId, ct);
            if (makeSuper && admin is null)
                db.GroupMemberships.Add(new GroupMembership { GroupId = PermissionGroup.AdministratorsId, UserId = id });
            if (!makeSuper && admin is not null)
            {
                await GroupService.EnsureNotLastAdminAsync(db, id, ct);
                db.GroupMemberships.Remove(admin);
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await GetCoreAsync(db, id, ct))!;
    }

    /// <summary>Deactivates a user: sessions end at once, sign-in is refused, the row and history stay.</summary>
    public async Task DeactivateAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) ?? throw ApiError.NotFound();
        if (user.IsActive && await db.GroupMemberships.AnyAsync(m => m.UserId == id && m.GroupId == PermissionGroup.AdministratorsId, ct))
            await GroupService.EnsureNotLastAdminAsync(db, id, ct);
        user.IsActive = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Sessions.Where(s => s.UserId == id).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<UserDto> ReactivateAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) ?? throw ApiError.NotFound();
        user.IsActive = true;
        await db.SaveChangesAsync(ct);
        return (await GetCoreAsync(db, id, ct))!;
    }

    /// <summary>
    /// Sets a new password (superuser for anyone, or a user for themself). Every session of that user ends, but the
    /// one that asked when a user changes their own password (<paramref name="currentSessionToken"/>).
    /// </summary>
    public async Task SetPasswordAsync(Caller caller, int id, string password, CancellationToken ct, string? currentSessionToken = null)
    {
        if (caller.UserId != id) caller.RequireSuperuser();
        if (PasswordPolicy.Check(password) is { } reason) throw new FieldError(400, "password", reason);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id && !u.IsApiKeyUser, ct) ?? throw ApiError.NotFound();
        user.PasswordHash = hasher.HashPassword(user, password);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var kept = caller.UserId == id && currentSessionToken is not null ? Tokens.Hash(currentSessionToken) : null;
        await db.Sessions.Where(s => s.UserId == id && s.TokenHash != kept).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
    }

    internal static async Task<UserDto?> GetCoreAsync(AppDbContext db, int id, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return null;
        var groups = await db.GroupMemberships.AsNoTracking().Where(m => m.UserId == id)
            .Select(m => m.GroupId).OrderBy(g => g).ToListAsync(ct);
        return ToDto(user, groups);
    }

    internal static UserDto ToDto(AppUser u, IReadOnlyList<int> groups) => new(
        u.Id, u.Email ?? "", u.FirstName, u.LastName, $"{u.FirstName} {u.LastName}".Trim(),
        groups.Contains(PermissionGroup.AdministratorsId), u.IsActive, u.DateJoined, u.LastLogin, false, groups);
}
