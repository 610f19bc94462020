using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Actions.Data.Databases;

public sealed record DatabaseSettingsDto([property: JsonPropertyName("database-enable-actions")] bool DatabaseEnableActions);

/// <summary>The database object of the REST API; the password is always <c>**MetabasePass**</c>.</summary>
public sealed record DatabaseDto(int Id, string Name, string Engine, JsonObject Details, DatabaseSettingsDto Settings,
    IReadOnlyList<string> Features, bool IsSample, DateTime CreatedAt, DateTime UpdatedAt);

public record FieldDto(int Id, int TableId, string Name, string DisplayName, string BaseType, string DatabaseType,
    string? SemanticType, int? FkTargetFieldId, bool DatabaseRequired, bool DatabaseIsAutoIncrement, string? DatabaseDefault,
    int Position, string VisibilityType, bool Active);

public sealed record TableDto(int Id, int DbId, string Name, string? Schema, string DisplayName, IReadOnlyList<FieldDto> Fields);

/// <summary>A table object without its fields (<c>GET /api/database/:id/schema/:schema</c>, a field's <c>table</c>).</summary>
public record TableSummaryDto(int Id, int DbId, string Name, string? Schema, string DisplayName);

/// <summary><c>GET /api/table/:id</c>: the table without its fields, with its database.</summary>
public sealed record TableWithDatabaseDto : TableSummaryDto
{
    public TableWithDatabaseDto(TableSummaryDto table, DatabaseDto db) : base(table) => Db = db;
    public DatabaseDto Db { get; }
}

/// <summary><c>GET /api/field/:id</c>: the field with its table.</summary>
public sealed record FieldInTableDto : FieldDto
{
    public FieldInTableDto(FieldDto field, TableSummaryDto table) : base(field) => Table = table;
    public TableSummaryDto Table { get; }
}

public sealed record DatabaseMetadataDto(int Id, string Name, string Engine, JsonObject Details, DatabaseSettingsDto Settings,
    IReadOnlyList<string> Features, bool IsSample, DateTime CreatedAt, DateTime UpdatedAt, IReadOnlyList<TableDto> Tables);

public static class DatabaseMapping
{
    public const string MaskedPassword = "**MetabasePass**";
    public static readonly IReadOnlyList<string> Features = ["actions", "actions/custom", "foreign-keys", "nested-queries"];

    public static TableSummaryDto ToSummary(DbTable t) => new(t.Id, t.DatabaseId, t.Name, t.Schema, t.DisplayName);

    public static FieldDto ToDto(DbField f) => new(f.Id, f.TableId, f.Name, f.DisplayName, f.BaseType, f.DatabaseType, f.SemanticType,
        f.FkTargetFieldId, f.DatabaseRequired, f.IsAutoIncrement, f.DatabaseDefault, f.Position, f.VisibilityType, f.Active);

    /// <summary>"last_login" → "Last Login", "user_id" → "User ID".</summary>
    public static string Humanize(string name)
    {
        var words = name.Split(['_', '-', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Equals("id", StringComparison.OrdinalIgnoreCase) ? "ID" : char.ToUpperInvariant(w[0]) + w[1..]);
        var result = string.Join(' ', words);
        return result.Length == 0 ? name : result;
    }
}
