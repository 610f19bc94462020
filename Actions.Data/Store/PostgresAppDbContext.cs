using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Actions.Data.Store;

/// <summary>
/// The app store on PostgreSQL (<c>Actions:AppDbProvider=Postgres</c>): the same model as <see cref="AppDbContext"/>,
/// a type of its own so that its migrations (Store/PostgresMigrations) are kept apart from SQLite's.
/// </summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.CommandTimeout(30)).AddInterceptors(SerializedWrites.Instance);

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        TruncateTimestamps();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        TruncateTimestamps();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL keeps timestamps to the microsecond, .NET to a tenth of one: what is saved is cut to what will be
    /// read back, so an answer made from the saved entity equals every later read of it (as on SQLite).
    /// </summary>
    private void TruncateTimestamps()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            foreach (var property in entry.Properties)
            {
                switch (property.CurrentValue)
                {
                    case DateTime t when t.Ticks % TimeSpan.TicksPerMicrosecond != 0:
                        property.CurrentValue = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMicrosecond, t.Kind);
                        break;
                    case DateTimeOffset t when t.Ticks % TimeSpan.TicksPerMicrosecond != 0:
                        property.CurrentValue = new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerMicrosecond, t.Offset);
                        break;
                }
            }
        }
    }
}

/// <summary>
/// For <c>dotnet ef</c> only (adding a PostgreSQL migration, checking for missing ones): the app registers this
/// context only on a PostgreSQL store, and neither command opens a connection.
/// </summary>
public sealed class PostgresAppDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        PostgresAppDbContext.Configure(options, "Host=localhost;Database=actions");
        return new PostgresAppDbContext(options.Options);
    }
}
