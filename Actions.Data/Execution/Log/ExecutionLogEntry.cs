using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Execution.Log;

/// <summary>One run of an action, from any source, whatever its outcome. Kept after the action is deleted.</summary>
public sealed class ExecutionLogEntry
{
    public long Id { get; set; }
    public int ActionId { get; set; }
    public string ActionName { get; set; } = "";
    public string ActionType { get; set; } = "";
    /// <summary><c>api</c>, <c>ui</c> or <c>public</c>.</summary>
    public string Source { get; set; } = "";
    public int? UserId { get; set; }
    public string? ClientIp { get; set; }
    public DateTime StartedAt { get; set; }
    public int DurationMs { get; set; }
    public string Status { get; set; } = "";
    public int HttpStatus { get; set; }
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public string? ParametersJson { get; set; }
    /// <summary>A test run from the editor of an unsaved draft (ui.md § Test run): its definition is not the saved one.</summary>
    public bool IsDraft { get; set; }
}

internal sealed class ExecutionLogEntryConfiguration : IEntityTypeConfiguration<ExecutionLogEntry>
{
    public void Configure(EntityTypeBuilder<ExecutionLogEntry> b)
    {
        b.ToTable("ExecutionLog");
        b.Property(e => e.ActionType).HasMaxLength(16);
        b.Property(e => e.Source).HasMaxLength(8);
        b.Property(e => e.Status).HasMaxLength(8);
        b.Property(e => e.ClientIp).HasMaxLength(64);
        b.HasIndex(e => new { e.ActionId, e.Id });
    }
}
