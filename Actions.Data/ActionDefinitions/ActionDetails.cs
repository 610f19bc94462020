using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Actions.Data.Platform;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// An action as read (actions-api.md § The action object): the keys every type has, merged with its type's keys by
/// the subtypes. Serialised as it is, it is the API's JSON byte for byte (the key order is the spec's: the common
/// keys, then the type's, then <c>creator</c>); the JSON-valued keys hold what is stored, as given.
/// </summary>
[JsonDerivedType(typeof(QueryActionDetails))]
[JsonDerivedType(typeof(ImplicitActionDetails))]
[JsonDerivedType(typeof(HttpActionDetails))]
public partial record ActionDetails
{
    /// <summary>The action's id.</summary>
    [JsonPropertyName("id")] public required int Id { get; init; }

    /// <summary>At most 254 characters; may be empty.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("description")] public string? Description { get; init; }

    /// <summary><c>query</c>, <c>implicit</c> or <c>http</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>The model (a card of type <c>model</c>) the action belongs to.</summary>
    [JsonPropertyName("model_id")] public required int ModelId { get; init; }

    /// <summary>Query: the database the SQL runs on; implicit: the model's; http: as given.</summary>
    [JsonPropertyName("database_id")] public int? DatabaseId { get; init; }

    /// <summary>The parameters a run accepts (implicit: generated from the model's table; http: the template's when it has some).</summary>
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }

    [JsonPropertyName("parameter_mappings")] public JsonNode? ParameterMappings { get; init; }

    /// <summary>The form settings (execution.md § Form).</summary>
    [JsonPropertyName("visualization_settings")] public JsonNode? VisualizationSettings { get; init; }

    [JsonPropertyName("public_uuid")] public Guid? PublicUuid { get; init; }

    [JsonPropertyName("made_public_by_id")] public int? MadePublicById { get; init; }

    [JsonPropertyName("archived")] public bool Archived { get; init; }

    [JsonPropertyName("creator_id")] public int? CreatorId { get; init; }

    /// <summary>21-character random id made on insert.</summary>
    [JsonPropertyName("entity_id")] public required string EntityId { get; init; }

    [JsonPropertyName("created_at")] public DateTime CreatedAt { get; init; }

    [JsonPropertyName("updated_at")] public DateTime UpdatedAt { get; init; }

    /// <summary>The creating user: only in <c>GET /api/action</c> and <c>GET /api/action/:id</c>.</summary>
    [JsonPropertyName("creator"), JsonPropertyOrder(TypeKeysOrder + 1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UserDto? Creator { get; init; }

    /// <summary>The type-specific keys follow the common ones.</summary>
    internal const int TypeKeysOrder = 1;

    /// <summary>The read shape of a stored action: type keys merged, parameters and form settings as the reader sees them.</summary>
    /// <summary>The action as the API answers it.</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, ActionShapes.JsonOptions)!.AsObject();

    public static ActionDetails Read(ActionDefinition a, ModelContext model, UserDto? creator = null)
    {
        var (parameters, mappings, visualization) = ActionShapes.Effective(a, model);
        var common = new ActionDetails
        {
            Id = a.Id, Name = a.Name, Description = a.Description, Type = a.Type, ModelId = a.ModelId,
            DatabaseId = ActionShapes.DatabaseId(a, model), Parameters = parameters, ParameterMappings = mappings,
            VisualizationSettings = visualization, PublicUuid = a.PublicUuid, MadePublicById = a.MadePublicById,
            Archived = a.Archived, CreatorId = a.CreatorId, EntityId = a.EntityId, CreatedAt = a.CreatedAt, UpdatedAt = a.UpdatedAt,
            Creator = creator,
        };
        return a.Type switch
        {
            ActionDefinition.QueryType => new QueryActionDetails(common) { DatasetQuery = ActionShapes.Parse(a.Query?.DatasetQueryJson) },
            ActionDefinition.ImplicitType => new ImplicitActionDetails(common) { Kind = a.Implicit?.Kind },
            ActionDefinition.HttpType => new HttpActionDetails(common)
            {
                Template = ActionShapes.Parse(a.Http?.TemplateJson), ResponseHandle = a.Http?.ResponseHandle, ErrorHandle = a.Http?.ErrorHandle,
            },
            _ => common,
        };
    }
}

/// <summary>A query action: SQL with template tags, run on <see cref="ActionDetails.DatabaseId"/>.</summary>
public sealed record QueryActionDetails : ActionDetails
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal QueryActionDetails(ActionDetails common) : base(common) { }

    /// <summary><c>{"database", "type": "native", "native": {"query", "template-tags"}}</c>.</summary>
    [JsonPropertyName("dataset_query"), JsonPropertyOrder(TypeKeysOrder)] public JsonNode? DatasetQuery { get; init; }
}

/// <summary>An implicit action: create, update or delete one row of the model's table.</summary>
public sealed record ImplicitActionDetails : ActionDetails
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal ImplicitActionDetails(ActionDetails common) : base(common) { }

    /// <summary><c>row/create</c>, <c>row/update</c> or <c>row/delete</c> (the <c>bulk/*</c> kinds are stored but cannot run).</summary>
    [JsonPropertyName("kind"), JsonPropertyOrder(TypeKeysOrder)] public string? Kind { get; init; }
}

/// <summary>An HTTP action: a request template and jq handles for its answer.</summary>
public sealed record HttpActionDetails : ActionDetails
{
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal HttpActionDetails(ActionDetails common) : base(common) { }

    /// <summary><c>{"method", "url", "body"?, "headers"?, "parameters"?, "parameter_mappings"?}</c>.</summary>
    [JsonPropertyName("template"), JsonPropertyOrder(TypeKeysOrder)] public JsonNode? Template { get; init; }

    /// <summary>A jq expression over the answer, or null.</summary>
    [JsonPropertyName("response_handle"), JsonPropertyOrder(TypeKeysOrder)] public string? ResponseHandle { get; init; }

    /// <summary>A jq expression deciding whether the answer is an error, or null.</summary>
    [JsonPropertyName("error_handle"), JsonPropertyOrder(TypeKeysOrder)] public string? ErrorHandle { get; init; }
}

/// <summary>An unarchived action with a public link (<c>GET /api/action/public</c>).</summary>
public sealed record PublicActionLink(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("public_uuid")] Guid PublicUuid,
    [property: JsonPropertyName("model_id")] int ModelId);
