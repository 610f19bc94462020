using System.Text.Json.Nodes;
using Actions.Data.Databases.Engines;
using Actions.Data.Databases.Postgres;
using Actions.Data.Databases.Sqlite;
using Actions.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.Unit;

/// <summary>
/// Defence in depth behind the lexer's one-statement check: where the driver allows, the engine itself refuses a second
/// statement in a write (PostgreSQL's extended protocol with positional parameters; SQLite's prepare tail), so SQL the
/// check missed still runs nothing.
/// </summary>
public sealed class EngineStatementRefusalTests
{
    private const string TwoStatements = "UPDATE notes SET body = {0} WHERE id = 1; DELETE FROM notes WHERE id = 2";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Postgres_refuses_a_second_statement_with_and_without_parameters(bool withParameter)
    {
        var database = await TargetDatabases.PostgresAsync("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'one'), (2, 'two');");
        IDatabaseEngine engine = new PostgresEngine();
        var details = TargetDatabases.PostgresDetails(database);
        var connectionString = engine.ConnectionString(details, details["password"]?.GetValue<string>());
        await using (var connection = await engine.OpenAsync(connectionString, default))
        {
            var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, TwoStatements, withParameter ? engine.Placeholder(0) : "'x'");
            await Assert.ThrowsAsync<SeveralStatementsException>(() => engine.ExecuteWriteAsync(connection, sql, withParameter ? ["x"] : [], default));
            // The connection is still usable, and a single statement with a positional parameter runs.
            Assert.Equal(1, await engine.ExecuteWriteAsync(connection, $"UPDATE notes SET body = {engine.Placeholder(0)} WHERE id = {engine.Placeholder(1)}", ["y", 1], default));
        }
        var b = TargetDatabases.PostgresAdmin();
        b.Database = database;
        b.Pooling = false;
        await using var check = new Npgsql.NpgsqlConnection(b.ConnectionString);
        await check.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT string_agg(id || '=' || body, ',' ORDER BY id) FROM notes", check);
        Assert.Equal("1=y,2=two", await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sqlite_refuses_a_second_statement_left_in_the_prepare_tail(bool withParameter)
    {
        var path = TargetDatabases.Sqlite("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'one'), (2, 'two');");
        IDatabaseEngine engine = new SqliteEngine();
        var connectionString = engine.ConnectionString(new JsonObject { ["db"] = path }, null);
        await using (var connection = await engine.OpenAsync(connectionString, default))
        {
            var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, TwoStatements, withParameter ? engine.Placeholder(0) : "'x'");
            await Assert.ThrowsAsync<SeveralStatementsException>(() => engine.ExecuteWriteAsync(connection, sql, withParameter ? ["x"] : [], default));
            // A value SQLite's session cannot bind itself goes through the provider, which runs every statement: still refused.
            await Assert.ThrowsAsync<SeveralStatementsException>(() => engine.ExecuteWriteAsync(connection,
                string.Format(System.Globalization.CultureInfo.InvariantCulture, TwoStatements, engine.Placeholder(0)), [1.5m], default));
            // Trailing blanks, comments and empty statements are not a second statement.
            Assert.Equal(1, await engine.ExecuteWriteAsync(connection, "UPDATE notes SET body = 'z' WHERE id = 1; ; -- done\n/* end */", [], default));
        }
        SqliteConnection.ClearAllPools();
        using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        check.Open();
        using var command = check.CreateCommand();
        command.CommandText = "SELECT group_concat(id || '=' || body, ',') FROM (SELECT * FROM notes ORDER BY id)";
        Assert.Equal("1=z,2=two", command.ExecuteScalar());
    }
}
