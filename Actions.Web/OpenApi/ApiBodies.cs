using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actions.Web.OpenApi;

// What the API reads and answers where the code works on raw JSON (loosely typed Metabase clients, exact error
// texts): these types only describe those bodies in /api/openapi/v1.json; nothing is bound or written from them.
// Free-form JSON (stored as given) is a JsonElement: any JSON value.

/// <summary><c>POST /api/action</c>: a query, implicit or http action.</summary>
public sealed class ActionCreateBody
{
    /// <summary>At most 254 characters; may be empty.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary><c>query</c>, <c>implicit</c> or <c>http</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>A card whose type is <c>model</c>.</summary>
    [JsonPropertyName("model_id")] public required int ModelId { get; init; }

    /// <summary>Query: required, the database the SQL runs on; http: optional.</summary>
    [JsonPropertyName("database_id")] public int? DatabaseId { get; init; }

    [JsonPropertyName("description")] public string? Description { get; init; }

    /// <summary>Query only: the SQL and its template tags.</summary>
    [JsonPropertyName("dataset_query")] public NativeDatasetQuery? DatasetQuery { get; init; }

    /// <summary>Implicit only: <c>row/create</c>, <c>row/update</c> or <c>row/delete</c>.</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>Http only: the request to send.</summary>
    [JsonPropertyName("template")] public HttpRequestTemplateBody? Template { get; init; }

    /// <summary>Http only: a jq expression over <c>{status, headers, body}</c> giving the answer.</summary>
    [JsonPropertyName("response_handle")] public string? ResponseHandle { get; init; }

    /// <summary>Http only: a jq expression deciding whether the answer is an error.</summary>
    [JsonPropertyName("error_handle")] public string? ErrorHandle { get; init; }

    [JsonPropertyName("parameters")] public IReadOnlyList<ActionParameterBody>? Parameters { get; init; }

    /// <summary>Stored as given.</summary>
    [JsonPropertyName("parameter_mappings")] public JsonElement? ParameterMappings { get; init; }

    /// <summary>The form settings (<c>{"type": "form", "fields": {"&lt;parameter id&gt;": {…}}}</c>), stored as given.</summary>
    [JsonPropertyName("visualization_settings")] public JsonElement? VisualizationSettings { get; init; }

    [JsonPropertyName("archived")] public bool? Archived { get; init; }
}

/// <summary>
/// <c>PUT /api/action/:id</c>: every key optional; an absent key is unchanged, <c>null</c> clears it (but leaves
/// <c>name</c>, <c>type</c>, <c>model_id</c>, <c>archived</c> unchanged). Changing <c>type</c> needs the new type's keys.
/// </summary>
public sealed class ActionUpdateBody
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("model_id")] public int? ModelId { get; init; }
    [JsonPropertyName("database_id")] public int? DatabaseId { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("dataset_query")] public NativeDatasetQuery? DatasetQuery { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("template")] public HttpRequestTemplateBody? Template { get; init; }
    [JsonPropertyName("response_handle")] public string? ResponseHandle { get; init; }
    [JsonPropertyName("error_handle")] public string? ErrorHandle { get; init; }
    [JsonPropertyName("parameters")] public IReadOnlyList<ActionParameterBody>? Parameters { get; init; }
    [JsonPropertyName("parameter_mappings")] public JsonElement? ParameterMappings { get; init; }
    [JsonPropertyName("visualization_settings")] public JsonElement? VisualizationSettings { get; init; }

    /// <summary><c>true</c> hides the action from lists, GET and execution; <c>false</c> restores it.</summary>
    [JsonPropertyName("archived")] public bool? Archived { get; init; }
}

/// <summary>A query action's <c>dataset_query</c>.</summary>
public sealed class NativeDatasetQuery
{
    [JsonPropertyName("database")] public required int Database { get; init; }

    /// <summary>Always <c>native</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("native")] public required NativeQuery Native { get; init; }
}

/// <summary>SQL with Metabase's <c>{{tag}}</c> and <c>[[ … ]]</c> syntax; values are always bound as parameters.</summary>
public sealed class NativeQuery
{
    [JsonPropertyName("query")] public required string Query { get; init; }

    [JsonPropertyName("template-tags")] public IReadOnlyDictionary<string, TemplateTag>? TemplateTags { get; init; }
}

/// <summary>One <c>{{tag}}</c> of the SQL.</summary>
public sealed class TemplateTag
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("display-name")] public required string DisplayName { get; init; }

    /// <summary><c>text</c>, <c>number</c>, <c>date</c> or <c>boolean</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("required")] public bool? Required { get; init; }
    [JsonPropertyName("default")] public JsonElement? Default { get; init; }
}

/// <summary>An http action's <c>template</c>: a closed map (any other key is a validation error).</summary>
public sealed class HttpRequestTemplateBody
{
    /// <summary><c>GET</c>, <c>POST</c>, <c>PUT</c>, <c>DELETE</c> or <c>PATCH</c>.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>Non-empty; may hold <c>{{parameter}}</c> and <c>{{secret:NAME}}</c>.</summary>
    [JsonPropertyName("url")] public required string Url { get; init; }

    [JsonPropertyName("body")] public string? Body { get; init; }

    /// <summary>A JSON object as text, or null.</summary>
    [JsonPropertyName("headers")] public string? Headers { get; init; }

    [JsonPropertyName("parameters")] public IReadOnlyList<ActionParameterBody>? Parameters { get; init; }
    [JsonPropertyName("parameter_mappings")] public JsonElement? ParameterMappings { get; init; }
}

/// <summary>One parameter of an action.</summary>
public sealed class ActionParameterBody
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("slug")] public string? Slug { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("display-name")] public string? DisplayName { get; init; }

    /// <summary>e.g. <c>string/=</c>, <c>number/=</c>, <c>date/single</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("target")] public JsonElement? Target { get; init; }
    [JsonPropertyName("required")] public bool? Required { get; init; }
    [JsonPropertyName("default")] public JsonElement? Default { get; init; }
}

/// <summary>A run or a prefetch: <c>{"parameters": {"&lt;parameter id&gt;": value, …}}</c> (the body or the map may be absent on a run).</summary>
public sealed class ExecuteBody
{
    [JsonPropertyName("parameters")] public IReadOnlyDictionary<string, JsonElement>? Parameters { get; init; }
}

/// <summary>
/// A run's answer: query → <c>rows-affected</c>; implicit → <c>created-row</c>, <c>rows-updated</c> or <c>rows-deleted</c>;
/// http → the <c>response_handle</c> result (any JSON).
/// </summary>
public sealed class ExecuteAnswer
{
    [JsonPropertyName("rows-affected")] public int? RowsAffected { get; init; }
    [JsonPropertyName("created-row")] public IReadOnlyDictionary<string, JsonElement>? CreatedRow { get; init; }
    [JsonPropertyName("rows-updated")] public int? RowsUpdated { get; init; }
    [JsonPropertyName("rows-deleted")] public int? RowsDeleted { get; init; }
}

/// <summary>A prefetched row keyed by parameter id (<c>{}</c> for actions that are not implicit).</summary>
public sealed class RowValues : Dictionary<string, JsonElement>;

/// <summary><c>POST /api/action/:id/public_link</c>.</summary>
public sealed record PublicLinkAnswer([property: JsonPropertyName("uuid")] Guid Uuid);

/// <summary>A page of the execution log, newest first.</summary>
public sealed class ExecutionPage
{
    [JsonPropertyName("data")] public required IReadOnlyList<ExecutionEntry> Data { get; init; }
    [JsonPropertyName("total")] public required int Total { get; init; }
}

/// <summary>One run in the execution log.</summary>
public sealed class ExecutionEntry
{
    [JsonPropertyName("id")] public long Id { get; init; }
    [JsonPropertyName("action_id")] public int ActionId { get; init; }
    [JsonPropertyName("action_name")] public string? ActionName { get; init; }
    [JsonPropertyName("action_type")] public string? ActionType { get; init; }

    /// <summary><c>api</c>, <c>ui</c> or <c>public</c>.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    [JsonPropertyName("user_id")] public int? UserId { get; init; }
    [JsonPropertyName("client_ip")] public string? ClientIp { get; init; }
    [JsonPropertyName("started_at")] public DateTime StartedAt { get; init; }
    [JsonPropertyName("duration_ms")] public int DurationMs { get; init; }

    /// <summary><c>success</c> or <c>error</c>.</summary>
    [JsonPropertyName("status")] public string? Status { get; init; }

    [JsonPropertyName("http_status")] public int HttpStatus { get; init; }
    [JsonPropertyName("result")] public JsonElement? Result { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("parameters")] public JsonElement? Parameters { get; init; }

    /// <summary>A test run of an unsaved draft from the editor.</summary>
    [JsonPropertyName("draft")] public bool Draft { get; init; }
}

/// <summary>
/// A validation 400: <c>{"errors": {"&lt;key&gt;": "&lt;what is expected&gt;"}, "specific-errors": {"&lt;key&gt;": ["&lt;what is
/// wrong&gt;, received: &lt;value&gt;"]}}</c>; nested keys nest.
/// </summary>
public sealed class ValidationErrorBody
{
    [JsonPropertyName("errors")] public required IReadOnlyDictionary<string, JsonElement> Errors { get; init; }
    [JsonPropertyName("specific-errors")] public IReadOnlyDictionary<string, JsonElement>? SpecificErrors { get; init; }
}

/// <summary>
/// An exception body: <c>{"message", "cause", "data": {…}}</c> with the keys of <c>data</c> repeated at top level
/// (e.g. <c>database-id</c> of <c>Actions are not enabled.</c>).
/// </summary>
public sealed class ExceptionErrorBody
{
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("cause")] public string? Cause { get; init; }
    [JsonPropertyName("data")] public IReadOnlyDictionary<string, JsonElement>? Data { get; init; }
}
