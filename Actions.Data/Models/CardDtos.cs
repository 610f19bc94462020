using System.Text.Json.Nodes;

namespace Actions.Data.Models;

public sealed record ResultColumnDto(string Name, string DisplayName, string BaseType, string? SemanticType, JsonArray FieldRef, int? Id);

/// <summary>The card object of the REST API.</summary>
public sealed record CardDto(int Id, string Name, string Type, string? Description, JsonNode DatasetQuery, int DatabaseId, int? TableId,
    int? CollectionId, bool Archived, int? CreatorId, string Display, JsonNode? VisualizationSettings,
    IReadOnlyList<ResultColumnDto> ResultMetadata, DateTime CreatedAt, DateTime UpdatedAt);
