using System.Data.Common;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Databases.Engines;
using Npgsql;

namespace Actions.Data.Databases.Postgres;

/// <summary>
/// PostgreSQL through Npgsql (its own connection pool per connection string). Values are bound as the neutral values of the
/// conversion (a UTC date-time as <c>timestamptz</c>, an unspecified one as <c>timestamp</c>), so it keeps the default
/// <see cref="IDatabaseEngine.ToParameter"/>.
/// </summary>
public sealed partial class PostgresEngine : IDatabaseEngine
{
    public string Name => "postgres";

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>Positional <c>$n</c>: with unnamed parameters Npgsql sends the SQL as written (no client-side rewriting or splitting on <c>;</c>).</summary>
    public string Placeholder(int index) => "$" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One batch command with unnamed (positional) parameters: Npgsql sends the text unchanged in one Parse message of
    /// the extended protocol, and PostgreSQL refuses a second statement in it ("cannot insert multiple commands into a
    /// prepared statement"). Without parameters Npgsql parses the text itself and refuses a second statement in a batch
    /// command. Either refusal is a <see cref="SeveralStatementsException"/>.
    /// </summary>
    public async Task<int> ExecuteWriteAsync(DbConnection connection, string sql, object?[] values, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        await using var tx = await npgsql.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(npgsql, tx);
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        batch.BatchCommands.Add(command);
        int affected;
        try
        {
            affected = await batch.ExecuteNonQueryAsync(ct);
        }
        catch (NotSupportedException e) when (e.Message.Contains("multiple SQL statements", StringComparison.Ordinal))
        {
            throw new SeveralStatementsException();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SyntaxError && e.MessageText.Contains("multiple commands", StringComparison.Ordinal))
        {
            throw new SeveralStatementsException();
        }
        await tx.CommitAsync(ct);
        return affected;
    }

    public string ConnectionString(JsonObject details, string? password) => new NpgsqlConnectionStringBuilder
    {
        Host = Details.RequiredString(details, "host"),
        Port = Details.Port(details, 5432),
        Database = Details.RequiredString(details, "dbname"),
        Username = Details.RequiredString(details, "user"),
        Password = password,
        SslMode = Details.Flag(details, "ssl") ? SslMode.Require : SslMode.Prefer,
        Timeout = 10,
        CommandTimeout = 60,
        Pooling = true,
        MaxPoolSize = 50,
        // The detail names the column of a unique or foreign-key violation; it is parsed, never shown.
        IncludeErrorDetail = true,
    }.ToString();

    public Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct) => Connections.OpenAsync(new NpgsqlConnection(connectionString), ct);

    public async Task<SchemaSnapshot> ReadSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        var columns = new List<(string Schema, string Table, ColumnSnapshot Column)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT c.table_schema, c.table_name, c.column_name, c.udt_name, c.data_type, c.is_nullable = 'NO',
                       c.column_default, c.is_identity = 'YES', c.ordinal_position, COALESCE(t.typtype = 'e', false)
                FROM information_schema.columns c
                JOIN information_schema.tables tb
                  ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
                LEFT JOIN pg_namespace tn ON tn.nspname = c.udt_schema
                LEFT JOIN pg_type t ON t.typname = c.udt_name AND t.typnamespace = tn.oid
                WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%'
                ORDER BY c.table_schema, c.table_name, c.ordinal_position
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var udt = reader.GetString(3);
                var isArray = reader.GetString(4) == "ARRAY";
                var defaultValue = reader.IsDBNull(6) ? null : reader.GetString(6);
                var identity = reader.GetBoolean(7);
                var autoIncrement = identity || defaultValue?.StartsWith("nextval(", StringComparison.Ordinal) == true;
                columns.Add((reader.GetString(0), reader.GetString(1), new ColumnSnapshot(
                    reader.GetString(2), udt, BaseTypeOf(udt, reader.GetBoolean(9), isArray), reader.GetBoolean(5),
                    defaultValue, autoIncrement, false, reader.GetInt32(8))));
            }
        }
        var primaryKeys = new HashSet<(string, string, string)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT ns.nspname, cl.relname, a.attname
                FROM pg_constraint con
                JOIN pg_class cl ON cl.oid = con.conrelid
                JOIN pg_namespace ns ON ns.oid = cl.relnamespace
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
                WHERE con.contype = 'p'
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) primaryKeys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        var foreignKeys = new List<(string Schema, string Table, ForeignKeySnapshot Key)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT ns.nspname, cl.relname, a.attname, fns.nspname, fcl.relname, fa.attname
                FROM pg_constraint con
                JOIN pg_class cl ON cl.oid = con.conrelid
                JOIN pg_namespace ns ON ns.oid = cl.relnamespace
                JOIN pg_class fcl ON fcl.oid = con.confrelid
                JOIN pg_namespace fns ON fns.oid = fcl.relnamespace
                JOIN LATERAL unnest(con.conkey, con.confkey) AS k(col, fcol) ON true
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
                JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fcol
                WHERE con.contype = 'f'
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                foreignKeys.Add((reader.GetString(0), reader.GetString(1),
                    new ForeignKeySnapshot(reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5))));
        }
        var tables = columns.GroupBy(c => (c.Schema, c.Table)).Select(g => new TableSnapshot(g.Key.Schema, g.Key.Table,
                g.Select(c => c.Column with { IsPrimaryKey = primaryKeys.Contains((g.Key.Schema, g.Key.Table, c.Column.Name)) }).ToList(),
                foreignKeys.Where(f => f.Schema == g.Key.Schema && f.Table == g.Key.Table).Select(f => f.Key).ToList()))
            .ToList();
        return new SchemaSnapshot(tables);
    }

    public string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Parameters are positional (<c>$n</c>), so unnamed.</summary>
    public string ParameterName(int index) => "";

    public async Task<ReadOnlyTransaction> BeginReadOnlyAsync(DbConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SET TRANSACTION READ ONLY";
            await command.ExecuteNonQueryAsync(ct);
            return new ReadOnlyTransaction(transaction);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>The type's internal name (<c>int4</c>, <c>timestamptz</c>…), as the schema sync reads it.</summary>
    public string ResultBaseType(DbDataReader reader, int ordinal)
    {
        var type = ((NpgsqlDataReader)reader).GetPostgresType(ordinal);
        return BaseTypeOf(type.InternalName, type is Npgsql.PostgresTypes.PostgresEnumType, type is Npgsql.PostgresTypes.PostgresArrayType);
    }

    public string Describe(Exception error) => error switch
    {
        PostgresException e => e.MessageText,
        NpgsqlException { InnerException: { } inner } when inner is not NpgsqlException => inner.Message,
        _ => error.Message,
    };

    /// <summary>
    /// Text goes with no type (<see cref="NpgsqlTypes.NpgsqlDbType.Unknown"/>), as a literal would: PostgreSQL converts it
    /// to the column's own type — an enum, citext, a domain — where a text parameter is refused ("column is of type mood
    /// but expression is of type text"). A text that does not convert is a 22P02 error: <see cref="ConstraintKind.InvalidValue"/>.
    /// </summary>
    public DbParameter ColumnParameter(DbCommand command, string name, object? value) => value is string text
        ? new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Unknown) { Value = text }
        : new NpgsqlParameter(name, value ?? DBNull.Value);

    public ConstraintViolation? TranslateConstraint(DbException error)
    {
        if (error is not PostgresException e) return null;
        return e.SqlState switch
        {
            PostgresErrorCodes.NotNullViolation => new ConstraintViolation(ConstraintKind.NotNull, e.ColumnName, e.ConstraintName, e.TableName),
            PostgresErrorCodes.UniqueViolation => new ConstraintViolation(ConstraintKind.Unique, KeyColumn(e.Detail), e.ConstraintName, e.TableName),
            PostgresErrorCodes.ForeignKeyViolation => new ConstraintViolation(ConstraintKind.ForeignKey, KeyColumn(e.Detail), e.ConstraintName, ReferencedTable(e.Detail)),
            PostgresErrorCodes.CheckViolation => new ConstraintViolation(ConstraintKind.Check, null, e.ConstraintName, e.TableName),
            PostgresErrorCodes.InvalidTextRepresentation or PostgresErrorCodes.InvalidDatetimeFormat or PostgresErrorCodes.DatetimeFieldOverflow
                => new ConstraintViolation(ConstraintKind.InvalidValue, null, null),
            _ => null,
        };
    }

    // Detail texts such as: Key (email)=(a@b.c) already exists. / Key (venue_id)=(9) is not present in table "venues".
    private static string? KeyColumn(string? detail) => detail is null ? null : KeyPattern().Match(detail) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? ReferencedTable(string? detail) => detail is null ? null : TablePattern().Match(detail) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"Key \(""?([^,)""]+)""?\)")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"table ""([^""]+)""")]
    private static partial Regex TablePattern();

    /// <summary>PostgreSQL's <c>udt_name</c> (and whether it is an enum) to a base type.</summary>
    internal static string BaseTypeOf(string udtName, bool isEnum, bool isArray)
    {
        if (isArray) return BaseTypes.Unknown;
        if (isEnum) return BaseTypes.Text;
        return udtName switch
        {
            "int2" or "int4" => BaseTypes.Integer,
            "int8" => BaseTypes.BigInteger,
            "numeric" => BaseTypes.Decimal,
            "float4" or "float8" => BaseTypes.Float,
            "bool" => BaseTypes.Boolean,
            "text" or "varchar" or "bpchar" or "char" or "name" or "citext" => BaseTypes.Text,
            "date" => BaseTypes.Date,
            "timestamp" => BaseTypes.DateTime,
            "timestamptz" => BaseTypes.DateTimeWithTZ,
            "time" or "timetz" => BaseTypes.Time,
            "uuid" => BaseTypes.Uuid,
            "json" or "jsonb" => BaseTypes.Json,
            _ => BaseTypes.Unknown,
        };
    }
}
