using Actions.Data.Databases;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Models;

/// <summary>A saved question or model (Metabase's card). Actions hang off models.</summary>
public sealed class Card
{
    public const string ModelType = "model";
    public const string QuestionType = "question";

    /// <summary>How Metabase's collection items and search name a card's kind: <c>dataset</c> for a model, else <c>card</c>.</summary>
    public static string ItemModelOf(Card card) => card.Type == ModelType ? "dataset" : "card";

    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = QuestionType;
    public string? Description { get; set; }
    public string DatasetQueryJson { get; set; } = "{}";
    public int DatabaseId { get; set; }
    /// <summary>The <c>source-table</c> of a structured query; null for native queries.</summary>
    public int? TableId { get; set; }
    public bool IsNative { get; set; }
    public bool HasClauses { get; set; }
    public int? CollectionId { get; set; }
    public bool Archived { get; set; }
    public int? CreatorId { get; set; }
    public string Display { get; set; } = "table";
    public string? VisualizationSettingsJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class CardConfiguration : IEntityTypeConfiguration<Card>
{
    public void Configure(EntityTypeBuilder<Card> b)
    {
        b.ToTable("Cards");
        b.Property(c => c.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.Property(c => c.Type).HasMaxLength(16);
        b.Property(c => c.Display).HasMaxLength(32);
        b.HasIndex(c => c.CollectionId);
        b.HasIndex(c => c.DatabaseId);
        b.HasOne<ConnectedDatabase>().WithMany().HasForeignKey(c => c.DatabaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<DbTable>().WithMany().HasForeignKey(c => c.TableId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Collection>().WithMany().HasForeignKey(c => c.CollectionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AppUser>().WithMany().HasForeignKey(c => c.CreatorId).OnDelete(DeleteBehavior.SetNull);
    }
}
