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

/// <summary>The app's own store: identity, permissions, settings and (later) actions and their log.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<AppUser, IdentityRole<int>, int>(options), IDataProtectionKeyContext
{
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
