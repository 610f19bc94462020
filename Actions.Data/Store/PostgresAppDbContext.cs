using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Actions.Data.Store;

/// <summary>
/// The app store on PostgreSQL (<c>Actions:AppDbProvider=Postgres</c>): the same model as <see cref="AppDbContext"/>,
/// a type of its own so that its migrations (Store/PostgresMigrations) are kept apart from SQLite's.
/// </summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.CommandTimeout(30)).AddInterceptors(SerializedWrites.Instance);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<string>().HaveConversion<NulFreeText>();
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, which SQLite stores as given: it is kept as U+FFFD, the replacement
    /// character, in values and in query parameters alike, so such input is stored or simply not found rather than
    /// failing the statement (and, in the execution log, the whole batch).
    /// </summary>
    internal sealed class NulFreeText() : ValueConverter<string, string>(v => WithoutNul(v), v => v)
    {
        public static string WithoutNul(string value) => value.Contains('\0') ? value.Replace('\0', '\uFFFD') : value;
    }

    /// <summary>The bump also notifies every instance listening (<see cref="StoreVersionListener"/>), delivered on commit.</summary>
    protected override string BumpVersionSql =>
        $"""
        WITH bumped AS ({base.BumpVersionSql.TrimEnd(';')})
        SELECT b."Version" FROM bumped b, LATERAL pg_notify('{StoreVersionListener.Channel}', b."Version"::text)
        """;

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
