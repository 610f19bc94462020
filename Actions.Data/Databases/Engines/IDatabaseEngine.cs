using System.Data.Common;
using System.Text.Json.Nodes;

namespace Actions.Data.Databases.Engines;

/// <summary>
/// Everything engine-specific about a connected database: connecting, quoting, placeholders, paging, writes and read-only
/// transactions, capabilities (RETURNING, passwords, booleans as integers), schema reading, value conversion to and from
/// JSON by base type, and error translation. Runners and services ask only this, never an engine's type, so adding an
/// engine means adding one folder with an implementation of this interface and one registration line
/// (<c>AddActionsData</c>).
/// </summary>
public interface IDatabaseEngine
{
    /// <summary>The <c>engine</c> value of the REST API (<c>sqlite</c>, <c>postgres</c>, <c>mysql</c>).</summary>
    string Name { get; }

    /// <summary>Whose lexical rules its SQL follows (comments, literals, quoted identifiers).</summary>
    SqlDialect Dialect { get; }

    /// <summary>The placeholder of the value at <paramref name="index"/> (0-based) in a write's SQL.</summary>
    string Placeholder(int index) => "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Checks <c>details</c> and builds a connection string; throws a 400 naming the problem.</summary>
    string ConnectionString(JsonObject details, string? password);

    /// <summary>Opens a pooled connection with the engine's session settings applied.</summary>
    Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct);

    /// <summary>
    /// Runs one write statement with positional values (placeholders by <see cref="Placeholder"/>) in its own transaction
    /// on an open connection; the rows affected (negative when the statement changes none). Where the driver allows,
    /// the database itself refuses a second statement: <see cref="SeveralStatementsException"/>.
    /// </summary>
    Task<int> ExecuteWriteAsync(DbConnection connection, string sql, object?[] values, CancellationToken ct) =>
        EngineWrites.ExecuteAsync(connection, sql, values, ct);

    /// <summary>
    /// Waits for this process's turn to write to the connection's database, held until the turn is disposed; engines
    /// whose server queues writers itself give it at once.
    /// </summary>
    ValueTask<WriteTurn> TakeWriteTurnAsync(DbConnection connection, CancellationToken ct) => ValueTask.FromResult(default(WriteTurn));

    /// <summary>Reads tables, columns, keys and defaults.</summary>
    Task<SchemaSnapshot> ReadSchemaAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Quotes an identifier for this engine's SQL.</summary>
    string Quote(string identifier);

    /// <summary>A table's name for this engine's SQL, qualified by its schema when it has one.</summary>
    string QuoteTable(string? schema, string name) => schema is { Length: > 0 } ? Quote(schema) + "." + Quote(name) : Quote(name);

    // Capabilities: what the runners ask of an engine instead of testing its type.

    /// <summary>Whether the database has a password (shown masked to superusers); SQLite files have none.</summary>
    bool UsesPassword => true;

    /// <summary>Whether booleans are stored as the integers 0 and 1, so that an integer column takes true/false.</summary>
    bool BooleansAreIntegers => false;

    /// <summary>
    /// Whether <c>INSERT … RETURNING</c> reads the new row back on a server of this version; when not, the row is read back by
    /// its key, the generated one by <see cref="LastInsertedKey"/>.
    /// </summary>
    bool ReturnsInsertedRows(string serverVersion) => true;

    /// <summary>The SQL expression of the key the connection's last INSERT generated (asked only where <see cref="ReturnsInsertedRows"/> is false).</summary>
    string LastInsertedKey => throw new NotSupportedException($"{Name} reads inserted rows back with RETURNING.");

    /// <summary>What a database needs once when it is connected or its details change (SQLite: WAL mode), on an open connection.</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The driver's reason for a failed connection, never containing the password.</summary>
    string Describe(Exception error);

    /// <summary>Recognises a constraint violation (or a value the column's type refuses) in a database error, or null.</summary>
    ConstraintViolation? TranslateConstraint(DbException error);

    /// <summary>
    /// A parameter for a value bound to a column (implicit actions): the value as converted for the column's base type.
    /// Engines that can let the server convert text to the column's own type (enums, case-insensitive text) do so here.
    /// </summary>
    DbParameter ColumnParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    /// <summary>
    /// The first column of a table's unique key named in a violation when the engine's message names the key, not the
    /// column (MySQL/MariaDB: <c>for key 'venues_code_uq'</c>, <c>'PRIMARY'</c>); null when unknown.
    /// </summary>
    Task<string?> KeyColumnAsync(DbConnection connection, DbTransaction? transaction, string table, string key, CancellationToken ct) =>
        Task.FromResult<string?>(null);

    // Reading (data-api.md): the read path builds its SQL and runs it only through these members.

    /// <summary>The name of the parameter bound to <see cref="Placeholder"/>(<paramref name="index"/>) ("" where parameters are positional).</summary>
    string ParameterName(int index) => Placeholder(index);

    /// <summary>Begins the read-only transaction a read runs in; a write inside fails with the database's message.</summary>
    Task<ReadOnlyTransaction> BeginReadOnlyAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// Makes cancelling <paramref name="ct"/> stop the statement running on the connection in the database itself. By default
    /// the driver does (Npgsql sends a cancel request, MySqlConnector <c>KILL QUERY</c>); disposing ends the arrangement.
    /// </summary>
    IDisposable CancelOnDatabase(DbConnection connection, CancellationToken ct) => default(CancellationTokenRegistration);

    /// <summary>The paging clause that ends a SELECT (after its ORDER BY).</summary>
    string Paging(long limit, long offset) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LIMIT {limit} OFFSET {offset}");

    /// <summary>A predicate matching <paramref name="value"/> in the text column, and the pattern to bind to <paramref name="placeholder"/>.</summary>
    (string Sql, string Pattern) TextMatch(string column, string placeholder, TextMatchKind kind, string value, bool caseSensitive) =>
        (EngineReads.Like(column, placeholder, caseSensitive), EngineReads.LikePattern(kind, value));

    /// <summary>The base type of a result column, from what the driver says of it (after the first row where that matters).</summary>
    string ResultBaseType(DbDataReader reader, int ordinal);

    // Values: the one conversion of the read path, the query actions and the implicit actions (ColumnValues).

    /// <summary>A value read from the database as JSON by base type (execution.md: numbers, booleans, dates, ISO-8601 date-times, text).</summary>
    JsonNode? ToJson(object? value, string baseType) => ColumnValues.ToJson(value, baseType);

    /// <summary>A JSON value as the parameter for a column of the base type; false when it does not convert.</summary>
    bool TryToParameter(JsonNode value, string baseType, out object? parameter)
    {
        parameter = null;
        if (!ColumnValues.TryRead(value, baseType, BooleansAreIntegers, out var read)) return false;
        parameter = read is null ? null : ToParameter(read);
        return true;
    }

    /// <summary>
    /// An engine-neutral value (<see cref="ColumnValues.TryRead"/>: long, double, decimal, bool, Guid, DateOnly, DateTime,
    /// TimeOnly, string) as this engine binds it.
    /// </summary>
    object ToParameter(object value) => value;
}

public sealed record SchemaSnapshot(IReadOnlyList<TableSnapshot> Tables);

public sealed record TableSnapshot(string? Schema, string Name, IReadOnlyList<ColumnSnapshot> Columns, IReadOnlyList<ForeignKeySnapshot> ForeignKeys);

public sealed record ColumnSnapshot(string Name, string DatabaseType, string BaseType, bool NotNull, string? Default,
    bool IsAutoIncrement, bool IsPrimaryKey, int Position);

public sealed record ForeignKeySnapshot(string Column, string? TargetSchema, string TargetTable, string TargetColumn);

public enum ConstraintKind { NotNull, Unique, ForeignKey, Check, InvalidValue }

/// <summary>A constraint the database refused: its kind, the column when the engine names it, the constraint's name.</summary>
public sealed record ConstraintViolation(ConstraintKind Kind, string? Column, string? ConstraintName, string? Table = null);

/// <summary>A turn to write (see <see cref="IDatabaseEngine.TakeWriteTurnAsync"/>); disposing it lets the next writer go.</summary>
public readonly struct WriteTurn(SemaphoreSlim? gate) : IDisposable
{
    public void Dispose() => gate?.Release();
}

/// <summary>The SQL of a write held more than one statement (found by the engine, after the lexer's check passed it).</summary>
public sealed class SeveralStatementsException() : Exception(Message)
{
    public new const string Message = "Only one SQL statement can be executed per action.";
}

/// <summary>A write through the provider's command, in a transaction: what every engine does unless it knows better.</summary>
public static class EngineWrites
{
    public static async Task<int> ExecuteAsync(DbConnection connection, string sql, object?[] values, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        // On failure the transaction is rolled back when disposed.
        var affected = await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return affected;
    }
}
