using Actions.Data.Models;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.ActionDefinitions;

/// <summary>An action: the common part; its type-specific part lives in one of three tables.</summary>
public sealed class ActionDefinition
{
    public const string QueryType = "query";
    public const string ImplicitType = "implicit";
    public const string HttpType = "http";

    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Type { get; set; } = QueryType;
    public int ModelId { get; set; }
    public string? ParametersJson { get; set; }
    public string? ParameterMappingsJson { get; set; }
    public string? VisualizationSettingsJson { get; set; }
    public Guid? PublicUuid { get; set; }
    public int? MadePublicById { get; set; }
    public bool Archived { get; set; }
    public int? CreatorId { get; set; }
    public string EntityId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public QueryActionPart? Query { get; set; }
    public ImplicitActionPart? Implicit { get; set; }
    public HttpActionPart? Http { get; set; }
}

public sealed class QueryActionPart
{
    public int ActionId { get; set; }
    public int DatabaseId { get; set; }
    public string? DatasetQueryJson { get; set; }
}

public sealed class ImplicitActionPart
{
    public int ActionId { get; set; }
    public string Kind { get; set; } = "";
}

public sealed class HttpActionPart
{
    public int ActionId { get; set; }
    public int? DatabaseId { get; set; }
    public string TemplateJson { get; set; } = "{}";
    public string? ResponseHandle { get; set; }
    public string? ErrorHandle { get; set; }
}

internal sealed class ActionDefinitionConfiguration : IEntityTypeConfiguration<ActionDefinition>
{
    public void Configure(EntityTypeBuilder<ActionDefinition> b)
    {
        b.ToTable("Actions");
        b.Property(a => a.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.Property(a => a.Type).HasMaxLength(16);
        b.Property(a => a.EntityId).HasMaxLength(21);
        b.HasIndex(a => a.PublicUuid).IsUnique();
        b.HasIndex(a => a.ModelId);
        b.HasIndex(a => new { a.UpdatedAt, a.Id });
        b.HasOne<Card>().WithMany().HasForeignKey(a => a.ModelId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(a => a.CreatorId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<AppUser>().WithMany().HasForeignKey(a => a.MadePublicById).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(a => a.Query).WithOne().HasForeignKey<QueryActionPart>(q => q.ActionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(a => a.Implicit).WithOne().HasForeignKey<ImplicitActionPart>(q => q.ActionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(a => a.Http).WithOne().HasForeignKey<HttpActionPart>(q => q.ActionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QueryActionPartConfiguration : IEntityTypeConfiguration<QueryActionPart>
{
    public void Configure(EntityTypeBuilder<QueryActionPart> b)
    {
        b.ToTable("QueryActions");
        b.HasKey(q => q.ActionId);
        b.HasOne<Databases.ConnectedDatabase>().WithMany().HasForeignKey(q => q.DatabaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImplicitActionPartConfiguration : IEntityTypeConfiguration<ImplicitActionPart>
{
    public void Configure(EntityTypeBuilder<ImplicitActionPart> b)
    {
        b.ToTable("ImplicitActions");
        b.HasKey(q => q.ActionId);
        b.Property(q => q.Kind).HasMaxLength(32);
    }
}

internal sealed class HttpActionPartConfiguration : IEntityTypeConfiguration<HttpActionPart>
{
    public void Configure(EntityTypeBuilder<HttpActionPart> b)
    {
        b.ToTable("HttpActions");
        b.HasKey(q => q.ActionId);
    }
}
