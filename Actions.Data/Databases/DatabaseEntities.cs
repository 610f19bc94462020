using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Databases;

/// <summary>A database the admin connected, whose data actions change.</summary>
public sealed class ConnectedDatabase
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>mysql</c>.</summary>
    public string Engine { get; set; } = "";
    /// <summary>Connection details as JSON, without the password.</summary>
    public string DetailsJson { get; set; } = "{}";
    /// <summary>The password, encrypted with Data Protection; null when none.</summary>
    public string? EncryptedPassword { get; set; }
    public bool ActionsEnabled { get; set; }
    public bool IsSample { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class DbTable
{
    public int Id { get; set; }
    public int DatabaseId { get; set; }
    public string? Schema { get; set; }
    public string Name { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public bool Active { get; set; } = true;
}

public sealed class DbField
{
    public int Id { get; set; }
    public int TableId { get; set; }
    public string Name { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string BaseType { get; set; } = BaseTypes.Unknown;
    public string DatabaseType { get; set; } = "";
    public string? SemanticType { get; set; }
    public int? FkTargetFieldId { get; set; }
    public bool IsPrimaryKey { get; set; }
    public bool DatabaseRequired { get; set; }
    public bool NotNull { get; set; }
    public bool IsAutoIncrement { get; set; }
    public string? DatabaseDefault { get; set; }
    public int Position { get; set; }
    public string VisibilityType { get; set; } = Visibility.Normal;
    public bool Active { get; set; } = true;
}

public static class Visibility
{
    public const string Normal = "normal";
    public const string Sensitive = "sensitive";
    public const string Hidden = "hidden";

    public static bool IsValid(string? v) => v is Normal or Sensitive or Hidden;
}

internal sealed class ConnectedDatabaseConfiguration : IEntityTypeConfiguration<ConnectedDatabase>
{
    public void Configure(EntityTypeBuilder<ConnectedDatabase> b)
    {
        b.ToTable("Databases");
        b.Property(d => d.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.Property(d => d.Engine).HasMaxLength(16).IsRequired();
    }
}

internal sealed class DbTableConfiguration : IEntityTypeConfiguration<DbTable>
{
    public void Configure(EntityTypeBuilder<DbTable> b)
    {
        b.ToTable("Tables");
        b.Property(t => t.Name).HasMaxLength(Limits.IdentifierLength).IsRequired();
        b.Property(t => t.Schema).HasMaxLength(Limits.IdentifierLength);
        b.Property(t => t.DisplayName).HasMaxLength(Limits.NameLength);
        b.HasIndex(t => t.DatabaseId);
        b.HasOne<ConnectedDatabase>().WithMany().HasForeignKey(t => t.DatabaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DbFieldConfiguration : IEntityTypeConfiguration<DbField>
{
    public void Configure(EntityTypeBuilder<DbField> b)
    {
        b.ToTable("Fields");
        b.Property(f => f.Name).HasMaxLength(Limits.IdentifierLength).IsRequired();
        b.Property(f => f.DisplayName).HasMaxLength(Limits.NameLength);
        b.Property(f => f.BaseType).HasMaxLength(32);
        b.Property(f => f.DatabaseType).HasMaxLength(128);
        b.Property(f => f.SemanticType).HasMaxLength(32);
        b.Property(f => f.VisibilityType).HasMaxLength(16);
        b.HasIndex(f => f.TableId);
        b.HasOne<DbTable>().WithMany().HasForeignKey(f => f.TableId).OnDelete(DeleteBehavior.Cascade);
        // A target field may vanish or be re-created; the reference is resolved again by every sync.
        b.HasOne<DbField>().WithMany().HasForeignKey(f => f.FkTargetFieldId).OnDelete(DeleteBehavior.SetNull);
    }
}
