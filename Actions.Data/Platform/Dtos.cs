using System.Text.Json.Serialization;

namespace Actions.Data.Platform;

/// <summary>The user object of the REST API.</summary>
public sealed record UserDto(
    int Id, string Email, string FirstName, string LastName, string CommonName, bool IsSuperuser, bool IsActive,
    DateTime DateJoined, DateTime? LastLogin, bool IsQbnewb, IReadOnlyList<int> GroupIds);

public sealed record ListPage<T>(IReadOnlyList<T> Data, int Total);

public sealed record GroupDto(int Id, string Name, int MemberCount);

public sealed record MembershipDto(int MembershipId, int GroupId, int UserId);

public sealed record ApiKeyGroupDto(int Id, string Name);

/// <summary>An API key as listed; <c>unmasked_key</c> is only present right after creation or regeneration.</summary>
public sealed record ApiKeyDto(int Id, string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UnmaskedKey, string MaskedKey, ApiKeyGroupDto Group,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record CollectionDto(object Id, string Name, string? Location, int? ParentId, bool CanWrite);

/// <summary>One item of <c>GET /api/collection/:id/items</c>: a collection, a card (question), a dataset (model) or an action.</summary>
public sealed record CollectionItemDto(int Id, string Name, string? Description, string Model, int? CollectionId);

public sealed record CollectionItemsDto(IReadOnlyList<CollectionItemDto> Data, int Total, IReadOnlyList<string> Models);

public sealed record PermissionGraph(int Revision, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Groups);
