using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Actions.Tests.Cluster;

/// <summary>
/// A fresh PostgreSQL database for an app store, whatever <c>ACTIONS_TEST_APP_STORE</c> says (tests of what several
/// instances share need PostgreSQL); dropped on dispose.
/// </summary>
public sealed class PostgresStore : IDisposable
{
    private readonly string _name = "limits_" + Guid.NewGuid().ToString("N")[..16];

    public PostgresStore()
    {
        Admin($"CREATE DATABASE {_name}");
        var builder = TargetDatabases.PostgresAdmin();
        builder.Database = _name;
        ConnectionString = builder.ConnectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The settings that put an app on this store.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(more ?? new Dictionary<string, string?>())
        {
            ["Actions:AppDbProvider"] = AppStoreProvider.Postgres,
            ["ConnectionStrings:AppDb"] = ConnectionString,
        };
        return settings;
    }

    /// <summary>Creates the app's tables (what an app does at start).</summary>
    public void Migrate()
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        PostgresAppDbContext.Configure(options, ConnectionString);
        using var db = new PostgresAppDbContext(options.Options);
        db.Database.Migrate();
    }

    public NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        Admin($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static void Admin(string sql) => TargetDatabases.ExecPostgresAdmin(sql);
}
