using System.Data.Common;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Execution.Log;
using Actions.Data.Models;
using Actions.Data.Secrets;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Actions.Data.Store;

/// <summary>
/// The app's own store: identity, permissions, settings, actions and their log. This type carries the SQLite
/// migrations (Store/Migrations); <see cref="PostgresAppDbContext"/> is the same model with PostgreSQL's
/// (Store/PostgresMigrations). Services ask for this type whatever the provider.
/// </summary>
public class AppDbContext : IdentityDbContext<AppUser, IdentityRole<int>, int>, IDataProtectionKeyContext
{
    public AppDbContext(DbContextOptions<AppDbContext> options) : base(options) { }

    /// <summary>For a provider's own context type, whose migrations are found by that type.</summary>
    protected AppDbContext(DbContextOptions options) : base(options) { }

    public DbSet<PermissionGroup> PermissionGroups => Set<PermissionGroup>();
    public DbSet<GroupMembership> GroupMemberships => Set<GroupMembership>();
    public DbSet<UserSession> Sessions => Set<UserSession>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Collection> Collections => Set<Collection>();
    public DbSet<CollectionPermission> CollectionPermissions => Set<CollectionPermission>();
    public DbSet<PermissionGraphRevision> PermissionGraphRevisions => Set<PermissionGraphRevision>();
    public DbSet<AppSetting> Settings => Set<AppSetting>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ConnectedDatabase> Databases => Set<ConnectedDatabase>();
    public DbSet<DbTable> Tables => Set<DbTable>();
    public DbSet<DbField> Fields => Set<DbField>();
    public DbSet<Card> Cards => Set<Card>();
    public DbSet<ActionDefinition> Actions => Set<ActionDefinition>();
    public DbSet<QueryActionPart> QueryActions => Set<QueryActionPart>();
    public DbSet<ImplicitActionPart> ImplicitActions => Set<ImplicitActionPart>();
    public DbSet<HttpActionPart> HttpActions => Set<HttpActionPart>();
    public DbSet<ExecutionLogEntry> ExecutionLog => Set<ExecutionLogEntry>();
    public DbSet<Secret> Secrets => Set<Secret>();
    public DbSet<StoreVersion> StoreVersions => Set<StoreVersion>();
    public DbSet<ThrottleEvent> ThrottleEvents => Set<ThrottleEvent>();

    /// <summary>The store version this context's open transaction bumped to, published by <see cref="StoreVersionBump"/> on commit.</summary>
    internal long? BumpedVersion { get; set; }

    /// <summary>Bumps the store version (and, on PostgreSQL, notifies every instance on commit); returns the new version.</summary>
    protected virtual string BumpVersionSql =>
        """INSERT INTO "StoreVersions" ("Id", "Version") VALUES (1, 1) ON CONFLICT ("Id") DO UPDATE SET "Version" = "StoreVersions"."Version" + 1 RETURNING "Version";""";

    /// <summary>
    /// A save that changes what a cache can hold (<see cref="StoreVersionBump.IsNeeded"/>) bumps the store version in
    /// its own transaction: the caller's when one is open (once for the whole transaction), else one of its own.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!StoreVersionBump.IsNeeded(ChangeTracker)) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (Database.CurrentTransaction is not null)
        {
            var count = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (BumpedVersion is null) await BumpVersionAsync(cancellationToken);
            return count;
        }
        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await BumpVersionAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return saved;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (!StoreVersionBump.IsNeeded(ChangeTracker)) return base.SaveChanges(acceptAllChangesOnSuccess);
        if (Database.CurrentTransaction is not null)
        {
            var count = base.SaveChanges(acceptAllChangesOnSuccess);
            if (BumpedVersion is null) BumpVersion();
            return count;
        }
        using var transaction = Database.BeginTransaction();
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        BumpVersion();
        transaction.Commit();
        return saved;
    }

    /// <summary>
    /// Bumps the store version in the open transaction, for a change made without tracked entities
    /// (<c>ExecuteDelete</c>, <c>ExecuteUpdate</c>); the new version takes effect here when the transaction commits.
    /// </summary>
    public async Task BumpVersionAsync(CancellationToken ct)
    {
        await using var command = BumpCommand();
        Bumped((long)(await command.ExecuteScalarAsync(ct))!);
    }

    private void BumpVersion()
    {
        using var command = BumpCommand();
        Bumped((long)command.ExecuteScalar()!);
    }

    private DbCommand BumpCommand()
    {
        var transaction = Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("The store version is bumped inside the change's own transaction.");
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = BumpVersionSql;
        return command;
    }

    private void Bumped(long version) => BumpedVersion = Math.Max(BumpedVersion ?? 0, version);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is stored and read back as UTC, whatever the provider keeps.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
