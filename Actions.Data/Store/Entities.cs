using Microsoft.AspNetCore.Identity;

namespace Actions.Data.Store;

/// <summary>A person or an API key's own user. Superuser = member of the Administrators group.</summary>
public sealed class AppUser : IdentityUser<int>
{
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public bool IsActive { get; set; } = true;
    public DateTime DateJoined { get; set; }
    public DateTime? LastLogin { get; set; }
    /// <summary>True for the user an API key acts as; such users cannot sign in with a password.</summary>
    public bool IsApiKeyUser { get; set; }
}

public sealed class PermissionGroup
{
    public const int AllUsersId = 1;
    public const int AdministratorsId = 2;

    public int Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>This group's permission on the root collection: write, read or none.</summary>
    public string RootPermission { get; set; } = PermissionLevel.None;
}

public sealed class GroupMembership
{
    public int Id { get; set; }
    public int GroupId { get; set; }
    public int UserId { get; set; }
}

public sealed class UserSession
{
    /// <summary>SHA-256 of the token, hex; the token itself is never stored.</summary>
    public string TokenHash { get; set; } = "";
    public int UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastUsedAt { get; set; }
    /// <summary>The client address at sign-in (login history).</summary>
    public string? IpAddress { get; set; }
    /// <summary>The User-Agent at sign-in, cut to 512 characters (login history).</summary>
    public string? UserAgent { get; set; }
}

/// <summary>
/// The store's version: one row (<see cref="Id"/> = 1) that every change cached definitions depend on bumps in
/// its own transaction, so every instance's caches can tell they are stale.
/// </summary>
public sealed class StoreVersion
{
    public const int SingletonId = 1;
    public int Id { get; set; }
    public long Version { get; set; }
}

/// <summary>One counted event of a limit (public link, public client, login), shared by every instance.</summary>
public sealed class ThrottleEvent
{
    public long Id { get; set; }
    /// <summary>What is limited, e.g. <c>link:…</c>, <c>client:…</c>, <c>login:…</c>.</summary>
    public string Key { get; set; } = "";
    public DateTime At { get; set; }
}

public sealed class ApiKey
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string KeyHash { get; set; } = "";
    public string MaskedKey { get; set; } = "";
    public int GroupId { get; set; }
    /// <summary>The user this key acts as.</summary>
    public int UserId { get; set; }
    public int? CreatorId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class Collection
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public int? ParentId { get; set; }
    /// <summary>Metabase-style path of ancestor ids: "/" for top level, "/3/7/" below collection 7.</summary>
    public string Location { get; set; } = "/";
    public DateTime CreatedAt { get; set; }
}

public sealed class CollectionPermission
{
    public int GroupId { get; set; }
    public int CollectionId { get; set; }
    public string Level { get; set; } = PermissionLevel.None;
}

/// <summary>One row per accepted change of the collection permission graph; the revision is the highest id.</summary>
public sealed class PermissionGraphRevision
{
    public int Id { get; set; }
    public int? UserId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class AppSetting
{
    public string Key { get; set; } = "";
    /// <summary>The value as JSON text.</summary>
    public string Value { get; set; } = "null";
}

public static class PermissionLevel
{
    public const string Write = "write";
    public const string Read = "read";
    public const string None = "none";

    public static bool IsValid(string? level) => level is Write or Read or None;
    public static int Rank(string level) => level switch { Write => 2, Read => 1, _ => 0 };
}
