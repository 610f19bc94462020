using System.Collections.Concurrent;
using System.Data.Common;
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

    public async Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = (SqliteConnection)await Connections.OpenAsync(new SqliteConnection(connectionString), ct);
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
        if (connection is SqliteConnection sqlite && Array.TrueForAll(values, SqliteSession.CanBind)
            && SqliteSession.Of(sqlite, SessionSettings).TryExecuteWrite(sql, values) is { } changed)
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
    public static async Task UseWalAsync(DbConnection connection, CancellationToken ct)
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
                return new ColumnSnapshot(c.Name, c.Type, BaseTypes.FromSqliteDeclaredType(c.Type), c.NotNull,
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
        return new SchemaSnapshot(tables);
    }

    public string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

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
}
