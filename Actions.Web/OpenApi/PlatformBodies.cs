using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actions.Web.OpenApi;

// What the platform endpoints (platform-api.md, data-api.md) read and answer where the code works on raw JSON:
// for the OpenAPI document only, like ApiBodies.cs.

/// <summary><c>POST /api/session</c>.</summary>
public sealed class SessionBody
{
    /// <summary>The email address.</summary>
    [JsonPropertyName("username")] public required string Username { get; init; }
    [JsonPropertyName("password")] public required string Password { get; init; }
}

/// <summary>A session token: send it as <c>X-Metabase-Session</c> or <c>Authorization: Bearer</c>.</summary>
public sealed record SessionAnswer([property: JsonPropertyName("id")] string Id);

/// <summary><c>POST /api/setup</c>: the first superuser.</summary>
public sealed class SetupBody
{
    [JsonPropertyName("user")] public required SetupUser User { get; init; }
}

/// <summary>The first superuser of <see cref="SetupBody"/>.</summary>
public sealed class SetupUser
{
    [JsonPropertyName("email")] public required string Email { get; init; }
    [JsonPropertyName("password")] public required string Password { get; init; }
    [JsonPropertyName("first_name")] public string? FirstName { get; init; }
    [JsonPropertyName("last_name")] public string? LastName { get; init; }
}

/// <summary><c>GET /api/health</c> and <c>POST /api/database/:id/sync_schema</c>.</summary>
public sealed record StatusAnswer([property: JsonPropertyName("status")] string Status);

/// <summary><c>POST /api/user</c>.</summary>
public sealed class UserCreateBody
{
    [JsonPropertyName("email")] public required string Email { get; init; }
    [JsonPropertyName("first_name")] public string? FirstName { get; init; }
    [JsonPropertyName("last_name")] public string? LastName { get; init; }

    /// <summary>At least 8 characters; without one the user cannot sign in until a superuser sets it.</summary>
    [JsonPropertyName("password")] public string? Password { get; init; }
}

/// <summary><c>PUT /api/user/:id</c>: absent keys unchanged.</summary>
public sealed class UserUpdateBody
{
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("first_name")] public string? FirstName { get; init; }
    [JsonPropertyName("last_name")] public string? LastName { get; init; }
    [JsonPropertyName("is_superuser")] public bool? IsSuperuser { get; init; }
}

/// <summary><c>PUT /api/user/:id/password</c>.</summary>
public sealed class PasswordBody
{
    [JsonPropertyName("password")] public required string Password { get; init; }
}

/// <summary><c>POST /api/permissions/group</c> and <c>POST /api/collection</c>'s name.</summary>
public sealed class GroupBody
{
    [JsonPropertyName("name")] public required string Name { get; init; }
}

/// <summary><c>POST /api/permissions/membership</c>.</summary>
public sealed class MembershipBody
{
    [JsonPropertyName("group_id")] public required int GroupId { get; init; }
    [JsonPropertyName("user_id")] public required int UserId { get; init; }
}

/// <summary><c>POST /api/api-key</c>.</summary>
public sealed class ApiKeyBody
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>The group the key's user joins.</summary>
    [JsonPropertyName("group_id")] public required int GroupId { get; init; }
}

/// <summary><c>POST /api/collection</c> (name required) and <c>PUT /api/collection/:id</c>.</summary>
public sealed class CollectionBody
{
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>The parent collection; null for the root.</summary>
    [JsonPropertyName("parent_id")] public int? ParentId { get; init; }
}

/// <summary><c>PUT /api/collection/graph</c>: group id → collection id → <c>write</c>, <c>read</c> or <c>none</c>.</summary>
public sealed class PermissionGraphBody
{
    [JsonPropertyName("revision")] public int? Revision { get; init; }
    [JsonPropertyName("groups")] public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Groups { get; init; }
}

/// <summary><c>POST /api/card</c> (name, type and dataset_query required) and <c>PUT /api/card/:id</c>.</summary>
public sealed class CardBody
{
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary><c>question</c> or <c>model</c>.</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }

    /// <summary>Structured <c>{"database", "type": "query", "query": {"source-table", …}}</c> or native <c>{"database", "type": "native", "native": {"query"}}</c>.</summary>
    [JsonPropertyName("dataset_query")] public JsonElement? DatasetQuery { get; init; }

    [JsonPropertyName("collection_id")] public int? CollectionId { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("display")] public string? Display { get; init; }
    [JsonPropertyName("visualization_settings")] public JsonElement? VisualizationSettings { get; init; }
    [JsonPropertyName("archived")] public bool? Archived { get; init; }
}

/// <summary><c>POST /api/card/:id/query</c>: values for a native card's template tags.</summary>
public sealed class CardQueryBody
{
    /// <summary><c>[{"type", "target": ["variable", ["template-tag", "&lt;name&gt;"]], "value"}]</c>.</summary>
    [JsonPropertyName("parameters")] public IReadOnlyList<JsonElement>? Parameters { get; init; }
}

/// <summary><c>POST /api/dataset</c>: a native query or an MBQL subset.</summary>
public sealed class DatasetBody
{
    [JsonPropertyName("database")] public required int Database { get; init; }

    /// <summary><c>native</c> or <c>query</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary><c>{"query": "&lt;SQL&gt;", "template-tags"?: {…}}</c> for <c>native</c>.</summary>
    [JsonPropertyName("native")] public JsonElement? Native { get; init; }

    /// <summary><c>{"source-table", "fields"?, "filter"?, "order-by"?, "limit"?, "page"?}</c> for <c>query</c>.</summary>
    [JsonPropertyName("query")] public JsonElement? Query { get; init; }

    [JsonPropertyName("parameters")] public IReadOnlyList<JsonElement>? Parameters { get; init; }
}

/// <summary><c>POST /api/database</c> (name, engine, details required) and <c>PUT /api/database/:id</c>.</summary>
public sealed class DatabaseBody
{
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>mysql</c>.</summary>
    [JsonPropertyName("engine")] public string? Engine { get; init; }

    /// <summary>The connection details of the engine.</summary>
    [JsonPropertyName("details")] public JsonElement? Details { get; init; }

    /// <summary><c>{"database-enable-actions": true}</c> turns actions on.</summary>
    [JsonPropertyName("settings")] public IReadOnlyDictionary<string, JsonElement>? Settings { get; init; }
}

/// <summary><c>PUT /api/field/:id</c>: absent keys unchanged.</summary>
public sealed class FieldBody
{
    [JsonPropertyName("display_name")] public string? DisplayName { get; init; }

    /// <summary><c>normal</c>, <c>sensitive</c> or <c>hidden</c>.</summary>
    [JsonPropertyName("visibility_type")] public string? VisibilityType { get; init; }

    [JsonPropertyName("semantic_type")] public string? SemanticType { get; init; }
}

/// <summary><c>PUT /api/setting/:key</c>: null restores the default.</summary>
public sealed class SettingBody
{
    [JsonPropertyName("value")] public JsonElement? Value { get; init; }
}

/// <summary><c>POST /api/secret</c> (name and value required) and <c>PUT /api/secret/:name</c>.</summary>
public sealed class SecretBody
{
    /// <summary>Upper case letters, digits and underscores; referenced as <c>{{secret:NAME}}</c>.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>Never returned.</summary>
    [JsonPropertyName("value")] public string? Value { get; init; }

    /// <summary>The hosts an http action may send the secret to.</summary>
    [JsonPropertyName("allowed_hosts")] public IReadOnlyList<string>? AllowedHosts { get; init; }
}

/// <summary>A secret as listed: never its value.</summary>
public sealed class SecretAnswer
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("allowed_hosts")] public required IReadOnlyList<string> AllowedHosts { get; init; }
    [JsonPropertyName("created_at")] public DateTime CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public DateTime UpdatedAt { get; init; }
}

/// <summary>What an anonymous holder of a public link sees of the action: hidden parameters removed.</summary>
public sealed class PublicActionAnswer
{
    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("database_id")] public int? DatabaseId { get; init; }
    [JsonPropertyName("visualization_settings")] public JsonElement? VisualizationSettings { get; init; }
    [JsonPropertyName("parameters")] public IReadOnlyList<JsonElement>? Parameters { get; init; }
}
