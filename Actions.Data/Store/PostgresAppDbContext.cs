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
        options.UseNpgsql(connectionString, o => o.CommandTimeout(30));
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
