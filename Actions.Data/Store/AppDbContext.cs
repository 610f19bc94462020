using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Execution.Log;
using Actions.Data.Models;
using Actions.Data.Secrets;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
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
