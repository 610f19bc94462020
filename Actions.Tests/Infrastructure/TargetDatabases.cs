using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace Actions.Tests.Infrastructure;

/// <summary>
/// Real databases for actions to change: SQLite files, and fresh databases on the PostgreSQL and MariaDB
/// servers that ./test.sh starts on loopback (their admin connection strings come in environment variables).
/// </summary>
public static class TargetDatabases
{
    public const string PostgresVariable = "ACTIONS_TEST_POSTGRES";
    public const string MySqlVariable = "ACTIONS_TEST_MYSQL";

    /// <summary>A new SQLite file with the given DDL; returns its path.</summary>
    public static string Sqlite(string ddl)
    {
        var dir = Path.Combine(Path.GetTempPath(), "actions-targets");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = ddl;
        command.ExecuteNonQuery();
        return path;
    }

    public static void ExecSqlite(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static NpgsqlConnectionStringBuilder PostgresAdmin()
    {
        var value = Environment.GetEnvironmentVariable(PostgresVariable);
        Assert.False(string.IsNullOrEmpty(value),
            $"{PostgresVariable} is not set: run the tests with ./test.sh (as root it starts PostgreSQL on loopback), or point it at a server of your own.");
        return new NpgsqlConnectionStringBuilder(value);
    }

    /// <summary>Runs one statement on the server's admin database, on an unpooled connection (CREATE/DROP DATABASE).</summary>
    public static void ExecPostgresAdmin(string sql)
    {
        var builder = PostgresAdmin();
        builder.Pooling = false;
        using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static MySqlConnectionStringBuilder MySqlAdmin()
    {
        var value = Environment.GetEnvironmentVariable(MySqlVariable);
        Assert.False(string.IsNullOrEmpty(value),
            $"{MySqlVariable} is not set: run the tests with ./test.sh (as root it starts MariaDB on loopback), or point it at a server of your own.");
        return new MySqlConnectionStringBuilder(value);
    }

    /// <summary>A fresh PostgreSQL database with the given DDL; returns its name.</summary>
    public static async Task<string> PostgresAsync(string ddl)
    {
        var admin = PostgresAdmin();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        await ExecPostgresAsync(name, ddl);
        return name;
    }

    public static async Task ExecPostgresAsync(string database, string sql)
    {
        var builder = PostgresAdmin();
        builder.Database = database;
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static JsonObject PostgresDetails(string database, string? password = null)
    {
        var admin = PostgresAdmin();
        return new JsonObject
        {
            ["host"] = admin.Host, ["port"] = admin.Port, ["dbname"] = database, ["user"] = admin.Username,
            ["password"] = password ?? admin.Password,
        };
    }

    /// <summary>A fresh MariaDB database with the given DDL; returns its name.</summary>
    public static async Task<string> MySqlAsync(string ddl)
    {
        var admin = MySqlAdmin();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new MySqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        await ExecMySqlAsync(name, ddl);
        return name;
    }

    public static async Task ExecMySqlAsync(string database, string sql)
    {
        var builder = MySqlAdmin();
        builder.Database = database;
        builder.Pooling = false;
        await using var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static JsonObject MySqlDetails(string database, string? password = null)
    {
        var admin = MySqlAdmin();
        return new JsonObject
        {
            ["host"] = admin.Server, ["port"] = (int)admin.Port, ["dbname"] = database, ["user"] = admin.UserID,
            ["password"] = password ?? admin.Password,
        };
    }

    /// <summary>Registers a database through the API and returns its id.</summary>
    public static async Task<int> RegisterAsync(ApiClient admin, string engine, JsonObject details, bool enableActions = true)
    {
        var body = new JsonObject { ["name"] = $"{engine} {Guid.NewGuid():N}", ["engine"] = engine, ["details"] = details };
        var created = (await admin.Post("/api/database", body.ToJsonString())).Expect(System.Net.HttpStatusCode.OK).Json;
        var id = created["id"]!.GetValue<int>();
        if (enableActions)
            (await admin.Put($"/api/database/{id}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = true } }.ToJsonString()))
                .Expect(System.Net.HttpStatusCode.OK);
        return id;
    }

    /// <summary>The fields of one table from the database metadata, by column name.</summary>
    public static async Task<(int TableId, Dictionary<string, JsonNode> Fields)> TableAsync(ApiClient admin, int databaseId, string table)
    {
        var metadata = (await admin.Get($"/api/database/{databaseId}/metadata")).Expect(System.Net.HttpStatusCode.OK).Json;
        var t = metadata["tables"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == table)!;
        return (t["id"]!.GetValue<int>(), t["fields"]!.AsArray().ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!));
    }
}
