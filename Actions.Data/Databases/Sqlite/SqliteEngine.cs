using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Microsoft.Data.Sqlite;

namespace Actions.Data.Databases.Sqlite;

/// <summary>
/// SQLite files (the embedded default). Files are opened read-write, never created; every connection has
/// foreign keys on, <c>synchronous=NORMAL</c> and a busy timeout so concurrent writers wait instead of failing.
/// </summary>
public sealed partial class SqliteEngine : IDatabaseEngine
{
    public const int BusyTimeoutSeconds = 30;

    public string Name => "sqlite";

    public SqlDialect Dialect => SqlDialect.Sqlite;

    public string ConnectionString(JsonObject details, string? password)
    {
        var path = Details.RequiredString(details, "db");
        if (!File.Exists(path)) throw new ExceptionError(400, $"No SQLite database file at {path}");
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWrite,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutSeconds,
            Pooling = true,
        }.ToString();
    }

    private static readonly string SessionSettings = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA synchronous = NORMAL;";

    /// <summary>What a run against a deleted, renamed or replaced file answers (without the path, which is not the user's to see).</summary>
    public const string MovedMessage = "The SQLite database file no longer exists where it was registered (deleted or moved).";

    /// <summary>
    /// Opens a pooled connection. A pooled handle keeps its file open even after the file is deleted or replaced, and
    /// writes through it would go to the unlinked file: so every open asks SQLite whether the file moved (one
    /// <c>stat</c>); when it did, the pool of that file is cleared and the file opened anew — the replacing file when
    /// there is one, else the run fails with <see cref="MovedMessage"/>.
    /// </summary>
    public async Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = await OpenPooledAsync(connectionString, ct);
        if (!SqliteSession.HasMoved(connection)) return connection;
        SqliteConnection.ClearPool(connection);
        await connection.DisposeAsync();
        connection = await OpenPooledAsync(connectionString, ct);
        if (!SqliteSession.HasMoved(connection)) return connection;
        SqliteConnection.ClearPool(connection);
        await connection.DisposeAsync();
        throw new SqliteException(MovedMessage, 14);
    }

    private static async Task<SqliteConnection> OpenPooledAsync(string connectionString, CancellationToken ct)
    {
        SqliteConnection connection;
        try
        {
            connection = (SqliteConnection)await Connections.OpenAsync(new SqliteConnection(connectionString), ct);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 14 && !File.Exists(new SqliteConnectionStringBuilder(connectionString).DataSource))
        {
            throw new SqliteException(MovedMessage, 14);
        }
        try
        {
            // Applied once per pooled handle, which keeps them.
            SqliteSession.Of(connection, SessionSettings);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One writer at a time per database from this process. SQLite allows one writer anyway; without this, runs
    /// contending for the lock wait in SQLite's busy handler, which sleeps in steps of 1, 2, 5, 10… up to 100 ms,
    /// and those sleeps were the whole tail latency of concurrent runs. Queued here, a run waits only for the
    /// writes ahead of it. (Other processes writing the file are still waited for by the busy timeout.)
    /// </summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    /// <summary>Runs the write on the handle's prepared statement when it fits (see <see cref="SqliteSession"/>), else through the provider.</summary>
    public async Task<int> ExecuteWriteAsync(DbConnection connection, string sql, object?[] values, CancellationToken ct)
    {
        using var turn = await TakeWriteTurnAsync(connection, ct);
        // The session prepares the SQL first in any case, refusing a second statement the provider would also run.
        if (connection is SqliteConnection sqlite && SqliteSession.Of(sqlite, SessionSettings).TryExecuteWrite(sql, values) is { } changed)
            return changed;
        return await EngineWrites.ExecuteAsync(connection, sql, values, ct);
    }

    public async ValueTask<WriteTurn> TakeWriteTurnAsync(DbConnection connection, CancellationToken ct)
    {
        var gate = WriteGates.GetOrAdd(connection.ConnectionString, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new WriteTurn(gate);
    }

    /// <summary>Puts the file in WAL mode (persistent), so readers never block the writer.</summary>
    public async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<SchemaSnapshot> ReadSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        var names = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        }
        var tables = new List<TableSnapshot>();
        foreach (var name in names)
        {
            var raw = new List<(string Name, string Type, bool NotNull, string? Default, int Pk, int Position)>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"PRAGMA table_info({Quote(name)})";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    raw.Add((reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetInt64(3) != 0,
                        reader.IsDBNull(4) ? null : reader.GetString(4), (int)reader.GetInt64(5), (int)reader.GetInt64(0)));
            }
            var pkCount = raw.Count(c => c.Pk > 0);
            var columns = raw.Select(c =>
            {
                // Only a lone INTEGER PRIMARY KEY is an alias of the rowid, i.e. auto-increment.
                var autoIncrement = c.Pk > 0 && pkCount == 1 && c.Type.Trim().Equals("INTEGER", StringComparison.OrdinalIgnoreCase);
                return new ColumnSnapshot(c.Name, c.Type, BaseTypeOf(c.Type), c.NotNull,
                    c.Default, autoIncrement, c.Pk > 0, c.Position);
            }).ToList();
            var keys = new List<ForeignKeySnapshot>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"PRAGMA foreign_key_list({Quote(name)})";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    keys.Add(new ForeignKeySnapshot(reader.GetString(3), null, reader.GetString(2), reader.IsDBNull(4) ? "" : reader.GetString(4)));
            }
            tables.Add(new TableSnapshot(null, name, columns, keys));
        }
        // A foreign key may leave its target column out (REFERENCES venues): it then means the target's primary key.
        var primaryKeys = tables.ToDictionary(t => t.Name, t => t.Columns.Where(c => c.IsPrimaryKey).Select(c => c.Name).FirstOrDefault() ?? "", StringComparer.Ordinal);
        return new SchemaSnapshot(tables.Select(t => t with
        {
            ForeignKeys = t.ForeignKeys.Select(k => k.TargetColumn.Length > 0 ? k : k with { TargetColumn = primaryKeys.GetValueOrDefault(k.TargetTable, "") }).ToList(),
        }).ToList());
    }

    public string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// <c>query_only</c> on the handle (any write fails: "attempt to write a readonly database") in a deferred transaction,
    /// which takes no write lock; the setting is taken back when the transaction ends, before the handle returns to the pool.
    /// </summary>
    public async Task<ReadOnlyTransaction> BeginReadOnlyAsync(DbConnection connection, CancellationToken ct)
    {
        await PragmaAsync(connection, "PRAGMA query_only = 1;", ct);
        try
        {
            var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: true);
            return new ReadOnlyTransaction(transaction, () => new ValueTask(PragmaAsync(connection, "PRAGMA query_only = 0;", CancellationToken.None)));
        }
        catch
        {
            await PragmaAsync(connection, "PRAGMA query_only = 0;", CancellationToken.None);
            throw;
        }
    }

    private static async Task PragmaAsync(DbConnection connection, string pragma, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = pragma;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The provider does not stop a running statement when its token is cancelled; <c>sqlite3_interrupt</c> does.</summary>
    public IDisposable CancelOnDatabase(DbConnection connection, CancellationToken ct)
    {
        var handle = ((SqliteConnection)connection).Handle;
        return ct.Register(() => SQLitePCL.raw.sqlite3_interrupt(handle));
    }

    /// <summary>SQLite's LIKE ignores ASCII case; a case-sensitive match is a GLOB, its wildcards taken literally in brackets.</summary>
    public (string Sql, string Pattern) TextMatch(string column, string placeholder, TextMatchKind kind, string value, bool caseSensitive)
    {
        if (!caseSensitive) return (EngineReads.Like(column, placeholder, false), EngineReads.LikePattern(kind, value));
        var literal = new System.Text.StringBuilder(value.Length + 2);
        foreach (var c in value)
        {
            if (c is '*' or '?' or '[') literal.Append('[').Append(c).Append(']');
            else literal.Append(c);
        }
        var pattern = kind switch
        {
            TextMatchKind.Contains => "*" + literal + "*",
            TextMatchKind.StartsWith => literal + "*",
            _ => "*" + literal,
        };
        return ($"{column} GLOB {placeholder}", pattern);
    }

    /// <summary>The declared type of a table's column; for an expression, the storage class of the first row's value.</summary>
    public string ResultBaseType(DbDataReader reader, int ordinal)
    {
        try
        {
            return reader.GetDataTypeName(ordinal).ToUpperInvariant() switch
            {
                "BLOB" => BaseTypes.Unknown,
                var declared => BaseTypeOf(declared),
            };
        }
        catch (InvalidOperationException)
        {
            return BaseTypes.Unknown;
        }
    }

    /// <summary>No passwords: a database is a file.</summary>
    public bool UsesPassword => false;

    /// <summary>SQLite has no boolean type: booleans are 0 and 1.</summary>
    public bool BooleansAreIntegers => true;

    /// <summary>
    /// SQLite's storage classes: booleans as 0/1, decimals as REAL, UUIDs as text, dates, times and date-times as SQLite's own
    /// text (<c>YYYY-MM-DD</c>, <c>HH:MM:SS</c>, <c>YYYY-MM-DD HH:MM:SS[.fffffff]</c>, in UTC when the value had an offset) —
    /// what its date functions, <c>CURRENT_TIMESTAMP</c> and other writers of the file use, so text comparisons order them.
    /// </summary>
    public object ToParameter(object value) => value switch
    {
        bool b => b ? 1L : 0L,
        decimal m => (double)m,
        Guid g => g.ToString(),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => ColumnValues.SqliteDateTime(d),
        TimeOnly t => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        _ => value,
    };

    public string Describe(Exception error) => error switch
    {
        SqliteException e => e.Message,
        _ => error.Message,
    };

    public ConstraintViolation? TranslateConstraint(DbException error)
    {
        if (error is not SqliteException { SqliteErrorCode: 19 } e) return null;
        var message = e.Message;
        var notNull = NotNullPattern().Match(message);
        if (notNull.Success) return new ConstraintViolation(ConstraintKind.NotNull, notNull.Groups[2].Value, null, notNull.Groups[1].Value);
        var unique = UniquePattern().Match(message);
        if (unique.Success) return new ConstraintViolation(ConstraintKind.Unique, unique.Groups[2].Value, null, unique.Groups[1].Value);
        if (message.Contains("FOREIGN KEY constraint failed", StringComparison.Ordinal)) return new ConstraintViolation(ConstraintKind.ForeignKey, null, null);
        var check = CheckPattern().Match(message);
        if (check.Success) return new ConstraintViolation(ConstraintKind.Check, null, check.Groups[1].Value);
        return null;
    }

    [GeneratedRegex(@"NOT NULL constraint failed: ([^.\s']+)\.([^\s',]+)")]
    private static partial Regex NotNullPattern();

    [GeneratedRegex(@"UNIQUE constraint failed: ([^.\s']+)\.([^\s',]+)")]
    private static partial Regex UniquePattern();

    [GeneratedRegex(@"CHECK constraint failed: ([^']+)'?")]
    private static partial Regex CheckPattern();

    /// <summary>SQLite's affinity-style mapping of a declared type, first match wins (spec order).</summary>
    internal static string BaseTypeOf(string declared)
    {
        var t = declared.ToUpperInvariant();
        if (t.Contains("INT", StringComparison.Ordinal)) return t.Contains("BIGINT", StringComparison.Ordinal) ? BaseTypes.BigInteger : BaseTypes.Integer;
        if (t.Contains("BOOL", StringComparison.Ordinal)) return BaseTypes.Boolean;
        if (t.Contains("DATETIME", StringComparison.Ordinal) || t.Contains("TIMESTAMP", StringComparison.Ordinal)) return BaseTypes.DateTime;
        if (t.Contains("DATE", StringComparison.Ordinal)) return BaseTypes.Date;
        if (t.Contains("TIME", StringComparison.Ordinal)) return BaseTypes.Time;
        if (t.Contains("UUID", StringComparison.Ordinal)) return BaseTypes.Uuid;
        if (t.Contains("JSON", StringComparison.Ordinal)) return BaseTypes.Json;
        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal)) return BaseTypes.Text;
        if (t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal)) return BaseTypes.Float;
        if (t.Contains("DEC", StringComparison.Ordinal) || t.Contains("NUM", StringComparison.Ordinal)) return BaseTypes.Decimal;
        return BaseTypes.Unknown;
    }
}
