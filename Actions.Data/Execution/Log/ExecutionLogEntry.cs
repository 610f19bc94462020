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

/// <summary>
/// How far the SQLite store's journal (<see cref="LogJournal"/>) has been moved into <c>ExecutionLog</c>: every record up to
/// <see cref="MovedSeq"/> is in the table, updated in the same transaction as the rows. One row (Id 1); unused on PostgreSQL.
/// </summary>
public sealed class ExecutionLogJournalState
{
    public int Id { get; set; }
    public long MovedSeq { get; set; }
}

internal sealed class ExecutionLogJournalStateConfiguration : IEntityTypeConfiguration<ExecutionLogJournalState>
{
    public void Configure(EntityTypeBuilder<ExecutionLogJournalState> b)
    {
        b.ToTable("ExecutionLogJournal");
        b.Property(e => e.Id).ValueGeneratedNever();
    }
}
