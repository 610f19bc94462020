using System.Text.Json.Nodes;

namespace Actions.Data.Models;

public sealed record ResultColumnDto(string Name, string DisplayName, string BaseType, string? SemanticType, JsonArray FieldRef, int? Id);

/// <summary>Who made a card, as Metabase's card object names them.</summary>
public sealed record CardCreatorDto(int Id, string Email, string FirstName, string LastName, string CommonName);

/// <summary>The card object of the REST API (<c>parameters</c> is always empty: cards here have no dashboard filters).</summary>
public sealed record CardDto(int Id, string Name, string Type, string? Description, JsonNode DatasetQuery, int DatabaseId, int? TableId,
    int? CollectionId, bool Archived, int? CreatorId, CardCreatorDto? Creator, string Display, JsonNode? VisualizationSettings,
    IReadOnlyList<ResultColumnDto> ResultMetadata, JsonArray Parameters, DateTime CreatedAt, DateTime UpdatedAt);
