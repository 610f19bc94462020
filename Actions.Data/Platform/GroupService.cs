using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>Permission groups and memberships (superuser only).</summary>
public sealed class GroupService(IDbContextFactory<AppDbContext> contexts)
{
    public async Task<IReadOnlyList<GroupDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PermissionGroups.AsNoTracking().OrderBy(g => g.Id)
            .Select(g => new GroupDto(g.Id, g.Name, db.GroupMemberships.Count(m => m.GroupId == g.Id)))
            .ToListAsync(ct);
    }

    public async Task<GroupDto> CreateAsync(Caller caller, string name, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.PermissionGroups.AnyAsync(g => g.Name == name, ct))
            throw ApiError.BadRequest("A group with that name already exists.");
        // A new group sees nothing until the permission graph grants it something.
        var group = new PermissionGroup { Name = name, RootPermission = PermissionLevel.None };
        db.PermissionGroups.Add(group);
        await db.SaveChangesAsync(ct);
        return new GroupDto(group.Id, group.Name, 0);
    }

    public async Task DeleteAsync(Caller caller, int id, CancellationToken ct)
    {
        caller.RequireSuperuser();
        if (id is PermissionGroup.AllUsersId or PermissionGroup.AdministratorsId)
            throw ApiError.BadRequest("You cannot delete the All Users or Administrators group.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var group = await db.PermissionGroups.FirstOrDefaultAsync(g => g.Id == id, ct) ?? throw ApiError.NotFound();
        if (await db.ApiKeys.AnyAsync(k => k.GroupId == id, ct))
            throw ApiError.BadRequest("This group is used by an API key; revoke the key or move it first.");
        db.PermissionGroups.Remove(group);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Every membership (superuser only), for the people page's group editing.</summary>
    public async Task<IReadOnlyList<MembershipDto>> MembershipsAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.GroupMemberships.AsNoTracking().OrderBy(m => m.Id).Select(m => new MembershipDto(m.Id, m.GroupId, m.UserId)).ToListAsync(ct);
    }

    /// <summary>Adds a user to a group; adding an existing member returns the existing membership.</summary>
    public async Task<MembershipDto> AddMemberAsync(Caller caller, int groupId, int userId, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.PermissionGroups.AnyAsync(g => g.Id == groupId, ct)) throw ApiError.NotFound();
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct)) throw ApiError.NotFound();
        var existing = await db.GroupMemberships.FirstOrDefaultAsync(m => m.GroupId == groupId && m.UserId == userId, ct);
        if (existing is null)
        {
            existing = new GroupMembership { GroupId = groupId, UserId = userId };
            db.GroupMemberships.Add(existing);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A concurrent request added the same membership: answer with that one.
                await using var again = await contexts.CreateDbContextAsync(ct);
                existing = await again.GroupMemberships.FirstAsync(m => m.GroupId == groupId && m.UserId == userId, ct);
            }
        }
        return new MembershipDto(existing.Id, existing.GroupId, existing.UserId);
    }

    public async Task RemoveMemberAsync(Caller caller, int membershipId, CancellationToken ct)
    {
        caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var membership = await db.GroupMemberships.FirstOrDefaultAsync(m => m.Id == membershipId, ct) ?? throw ApiError.NotFound();
        if (membership.GroupId == PermissionGroup.AllUsersId)
            throw ApiError.BadRequest("Every user belongs to All Users.");
        if (membership.GroupId == PermissionGroup.AdministratorsId)
            await EnsureNotLastAdminAsync(db, membership.UserId, ct);
        db.GroupMemberships.Remove(membership);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Refuses to take away the last active superuser (nobody could administer the app after).</summary>
    internal static async Task EnsureNotLastAdminAsync(AppDbContext db, int userId, CancellationToken ct)
    {
        var otherAdmins = await db.GroupMemberships
            .Where(m => m.GroupId == PermissionGroup.AdministratorsId && m.UserId != userId)
            .Join(db.Users.Where(u => u.IsActive && !u.IsApiKeyUser), m => m.UserId, u => u.Id, (m, u) => u.Id)
            .AnyAsync(ct);
        if (!otherAdmins) throw ApiError.BadRequest("You cannot remove the last superuser.");
    }
}
