using System.Data.Common;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Databases.Engines;
using MySqlConnector;

namespace Actions.Data.Databases.MySql;

/// <summary>MySQL and MariaDB through MySqlConnector (its own connection pool per connection string).</summary>
public sealed partial class MySqlEngine : IDatabaseEngine
{
    public string Name => "mysql";

    public SqlDialect Dialect => SqlDialect.MySql;

    public string ConnectionString(JsonObject details, string? password) => new MySqlConnectionStringBuilder
    {
        Server = Details.RequiredString(details, "host"),
        Port = (uint)Details.Port(details, 3306),
        Database = Details.RequiredString(details, "dbname"),
        UserID = Details.RequiredString(details, "user"),
        Password = password,
        SslMode = Details.Flag(details, "ssl") ? MySqlSslMode.Required : MySqlSslMode.Preferred,
        AllowPublicKeyRetrieval = true,
        ConnectionTimeout = 10,
        DefaultCommandTimeout = 60,
        Pooling = true,
        MaximumPoolSize = 50,
    }.ToString();

    public Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct) => Connections.OpenAsync(new MySqlConnection(connectionString), ct);

    public async Task<SchemaSnapshot> ReadSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        var primaryKeys = new HashSet<(string, string)>();
        var foreignKeys = new List<(string Table, ForeignKeySnapshot Key)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT TABLE_NAME, COLUMN_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
                FROM information_schema.KEY_COLUMN_USAGE
                WHERE TABLE_SCHEMA = DATABASE() AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL)
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetString(2) == "PRIMARY") primaryKeys.Add((reader.GetString(0), reader.GetString(1)));
                else foreignKeys.Add((reader.GetString(0), new ForeignKeySnapshot(reader.GetString(1), null, reader.GetString(3), reader.GetString(4))));
            }
        }
        var columns = new List<(string Table, ColumnSnapshot Column)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE = 'NO', c.COLUMN_DEFAULT, c.EXTRA, c.ORDINAL_POSITION
                FROM information_schema.COLUMNS c
                JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
                WHERE c.TABLE_SCHEMA = DATABASE()
                ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var table = reader.GetString(0);
                var name = reader.GetString(1);
                var defaultValue = reader.IsDBNull(5) ? null : reader.GetString(5);
                // MariaDB reports "no default" on a nullable column as the text NULL.
                if (defaultValue == "NULL") defaultValue = null;
                var extra = reader.IsDBNull(6) ? "" : reader.GetString(6);
                columns.Add((table, new ColumnSnapshot(name, reader.GetString(3), BaseTypeOf(reader.GetString(2), reader.GetString(3)),
                    reader.GetBoolean(4), defaultValue, extra.Contains("auto_increment", StringComparison.OrdinalIgnoreCase),
                    primaryKeys.Contains((table, name)), Convert.ToInt32(reader.GetValue(7), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        var tables = columns.GroupBy(c => c.Table).Select(g => new TableSnapshot(null, g.Key, g.Select(c => c.Column).ToList(),
            foreignKeys.Where(f => f.Table == g.Key).Select(f => f.Key).ToList())).ToList();
        return new SchemaSnapshot(tables);
    }

    public string Quote(string identifier) => "`" + identifier.Replace("`", "``", StringComparison.Ordinal) + "`";

    public async Task<ReadOnlyTransaction> BeginReadOnlyAsync(DbConnection connection, CancellationToken ct) =>
        new(await ((MySqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, isReadOnly: true, ct));

    /// <summary>LIKE follows the column's collation (mostly case-insensitive); compared as bytes it is case-sensitive.</summary>
    public (string Sql, string Pattern) TextMatch(string column, string placeholder, TextMatchKind kind, string value, bool caseSensitive) =>
        (caseSensitive
            ? $"CAST({column} AS BINARY) LIKE CAST({placeholder} AS BINARY) ESCAPE '{EngineReads.LikeEscape}'"
            : EngineReads.Like(column, placeholder, false), EngineReads.LikePattern(kind, value));

    /// <summary>The driver's type name; <c>TINYINT(1)</c> reads as a boolean.</summary>
    public string ResultBaseType(DbDataReader reader, int ordinal)
    {
        if (reader.GetFieldType(ordinal) == typeof(bool)) return BaseTypes.Boolean;
        var name = reader.GetDataTypeName(ordinal);
        return BaseTypeOf(name, name);
    }

    /// <summary>UUIDs as text, dates as date-times at midnight, times as time spans (MySqlConnector's types).</summary>
    public object ToParameter(object value) => value switch
    {
        Guid g => g.ToString(),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        TimeOnly t => t.ToTimeSpan(),
        _ => value,
    };

    /// <summary>MariaDB has <c>INSERT … RETURNING</c> (10.5 on); MySQL has not.</summary>
    public bool ReturnsInsertedRows(string serverVersion) => serverVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);

    public string LastInsertedKey => "LAST_INSERT_ID()";

    public string Describe(Exception error) => error.Message;

    public ConstraintViolation? TranslateConstraint(DbException error)
    {
        if (error is not MySqlException e) return null;
        var message = e.Message;
        return (int)e.ErrorCode switch
        {
            1048 or 1364 => new ConstraintViolation(ConstraintKind.NotNull, QuotedName().Match(message) is { Success: true } m ? m.Groups[1].Value : null, null),
            // "Duplicate entry 'x' for key 'name'" names the key (MySQL 8: 'table.key'), which is a column's name only by default.
            1062 => new ConstraintViolation(ConstraintKind.Unique, null, DuplicateKey().Match(message) is { Success: true } m ? LastPart(m.Groups[1].Value) : null),
            1452 or 1451 or 1216 or 1217 => new ConstraintViolation(ConstraintKind.ForeignKey,
                ForeignKeyColumn().Match(message) is { Success: true } m ? m.Groups[1].Value : null, null,
                References().Match(message) is { Success: true } r ? r.Groups[1].Value : null),
            // Incorrect integer/decimal value, data truncated (a value outside an ENUM), incorrect datetime value.
            1366 or 1265 or 1292 => new ConstraintViolation(ConstraintKind.InvalidValue, null, null),
            3819 or 4025 => new ConstraintViolation(ConstraintKind.Check, null, CheckName().Match(message) is { Success: true } m ? m.Groups[1].Value : null),
            _ => null,
        };
    }

    public async Task<string?> KeyColumnAsync(DbConnection connection, DbTransaction? transaction, string table, string key, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT COLUMN_NAME FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table AND INDEX_NAME = @key AND NON_UNIQUE = 0
            ORDER BY SEQ_IN_INDEX LIMIT 1
            """;
        command.Parameters.Add(new MySqlParameter("@table", table));
        command.Parameters.Add(new MySqlParameter("@key", key));
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static string LastPart(string key) => key.Contains('.', StringComparison.Ordinal) ? key[(key.LastIndexOf('.') + 1)..] : key;

    [GeneratedRegex(@"(?:Column|Field) '([^']+)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"for key '([^']+)'")]
    private static partial Regex DuplicateKey();

    [GeneratedRegex(@"FOREIGN KEY \(`([^`]+)`\)")]
    private static partial Regex ForeignKeyColumn();

    [GeneratedRegex(@"REFERENCES `([^`]+)`")]
    private static partial Regex References();

    [GeneratedRegex(@"(?:CONSTRAINT|constraint) [`']([^`']+)[`']")]
    private static partial Regex CheckName();

    /// <summary>MySQL/MariaDB <c>data_type</c> and <c>column_type</c> to a base type.</summary>
    internal static string BaseTypeOf(string dataType, string columnType)
    {
        var data = dataType.ToLowerInvariant();
        var column = columnType.ToLowerInvariant();
        if (data == "tinyint" && column.StartsWith("tinyint(1)", StringComparison.Ordinal) || data is "bool" or "boolean") return BaseTypes.Boolean;
        return data switch
        {
            "bigint" => BaseTypes.BigInteger,
            "tinyint" or "smallint" or "mediumint" or "int" or "integer" or "year" => BaseTypes.Integer,
            "decimal" or "numeric" => BaseTypes.Decimal,
            "float" or "double" or "real" => BaseTypes.Float,
            "char" or "varchar" or "tinytext" or "text" or "mediumtext" or "longtext" or "enum" or "set" => BaseTypes.Text,
            "date" => BaseTypes.Date,
            "datetime" or "timestamp" => BaseTypes.DateTime,
            "time" => BaseTypes.Time,
            "json" => BaseTypes.Json,
            _ => BaseTypes.Unknown,
        };
    }
}
