using System.Data.Common;
using Actions.Data.Execution.Log;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Actions.Data.Store;

/// <summary>
/// Bumping the store version: which changes must (<see cref="IsNeeded"/>), and this instance learning its own new
/// version the moment the transaction that bumped it commits (so the change takes effect here at once). The bump itself
/// runs in <see cref="AppDbContext"/>'s save, in the change's own transaction.
/// </summary>
public sealed class StoreVersionBump(CacheVersion versions) : DbTransactionInterceptor
{
    /// <summary>
    /// Whether the pending changes can change what a cache holds: any change but records of activity — the execution
    /// log, throttle events, Data Protection keys, a new session or its last use, a user's last sign-in.
    /// An ended session is a change: it must end on every instance.
    /// </summary>
    public static bool IsNeeded(ChangeTracker changes)
    {
        foreach (var entry in changes.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            if (ChangesDefinitions(entry)) return true;
        }
        return false;
    }

    private static bool ChangesDefinitions(EntityEntry entry) => entry.Entity switch
    {
        ExecutionLogEntry or ThrottleEvent or DataProtectionKey or StoreVersion => false,
        UserSession => entry.State == EntityState.Deleted,
        AppUser => entry.State != EntityState.Modified
                   || entry.Properties.Any(p => p.IsModified && p.Metadata.Name != nameof(AppUser.LastLogin)),
        _ => true,
    };

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData,
        DbTransaction result, CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Publish(eventData);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Publish(eventData);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return Task.CompletedTask;
    }

    private void Publish(DbContextEventData eventData)
    {
        if (eventData.Context is AppDbContext { BumpedVersion: { } version } db)
        {
            db.BumpedVersion = null;
            versions.Observe(version);
        }
    }

    /// <summary>A version bumped in a transaction that did not commit never existed: it must not be published.</summary>
    private static void Forget(DbContextEventData eventData)
    {
        if (eventData.Context is AppDbContext db) db.BumpedVersion = null;
    }
}
