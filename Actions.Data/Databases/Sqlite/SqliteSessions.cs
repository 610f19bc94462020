using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Actions.Data.Databases.Engines;
using SQLitePCL;

namespace Actions.Data.Databases.Sqlite;

/// <summary>
/// What a pooled SQLite connection keeps between runs. The provider pools the native handle, so its session settings
/// (busy timeout, <c>synchronous</c>) are applied once per handle instead of once per open, and the write statements
/// of query actions stay prepared on it: a run binds, steps and resets instead of parsing its SQL again.
/// A handle is used by one connection at a time, so its session needs no locking.
/// </summary>
internal sealed class SqliteSession
{
    private const int MaxStatements = 64;
    private static readonly ConditionalWeakTable<sqlite3, SqliteSession> Sessions = new();

    private readonly sqlite3 _handle;
    private readonly Dictionary<string, sqlite3_stmt?> _statements = new(StringComparer.Ordinal);
    private sqlite3_stmt? _begin, _commit, _rollback;

    private SqliteSession(sqlite3 handle) => _handle = handle;

    /// <summary>The session of an open connection's handle, applying <paramref name="settings"/> the first time the handle is seen.</summary>
    public static SqliteSession Of(SqliteConnection connection, string settings)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        if (Sessions.TryGetValue(handle, out var session)) return session;
        Check(raw.sqlite3_exec(handle, settings), handle);
        session = new SqliteSession(handle);
        Sessions.AddOrUpdate(handle, session);
        return session;
    }

    /// <summary>
    /// Runs one statement whose placeholders are <c>@p0</c>, <c>@p1</c>… (in order of first appearance) with the values
    /// (long, double, string, byte[] or null) in its own immediate transaction; the rows it changed, or -1 for a
    /// read-only statement (as the provider's ExecuteNonQuery). Null when the statement does not fit that shape: the
    /// caller then runs it through the provider.
    /// </summary>
    public int? TryExecuteWrite(string sql, object?[] values)
    {
        var statement = Prepared(sql, values.Length);
        if (statement is null || !Array.TrueForAll(values, CanBind)) return null;
        Step(_begin ??= Prepare("BEGIN IMMEDIATE;"));
        try
        {
            for (var i = 0; i < values.Length; i++) Bind(statement, i + 1, values[i]);
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW) { }
            if (rc != raw.SQLITE_DONE) Check(rc, _handle);
            var changed = raw.sqlite3_stmt_readonly(statement) == 0 ? raw.sqlite3_changes(_handle) : -1;
            Done(statement);
            Step(_commit ??= Prepare("COMMIT;"));
            return changed;
        }
        catch
        {
            Done(statement);
            if (raw.sqlite3_get_autocommit(_handle) == 0) Step(_rollback ??= Prepare("ROLLBACK;"));
            throw;
        }
    }

    public static bool CanBind(object? value) => value is null or DBNull or long or int or double or string or byte[];

    /// <summary>Binds one value (see <see cref="CanBind"/>) to a 1-based parameter; a refusal throws as the provider would.</summary>
    internal static void Bind(sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(statement, index),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            int n => raw.sqlite3_bind_int64(statement, index, n),
            double d => raw.sqlite3_bind_double(statement, index, d),
            string s => raw.sqlite3_bind_text(statement, index, s),
            byte[] b => raw.sqlite3_bind_blob(statement, index, b),
            _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name}", nameof(value)),
        };
        if (rc != raw.SQLITE_OK) Check(rc, raw.sqlite3_db_handle(statement));
    }

    /// <summary>
    /// The prepared statement for the SQL, or null when its parameters are not exactly @p0…@p(n-1). SQL with a second
    /// statement after the first (SQLite's own tokenizer decides, by the tail <c>sqlite3_prepare_v2</c> leaves) throws
    /// <see cref="SeveralStatementsException"/>: the provider would run every statement of the text.
    /// </summary>
    private sqlite3_stmt? Prepared(string sql, int count)
    {
        if (_statements.TryGetValue(sql, out var cached)) return cached;
        if (_statements.Count >= MaxStatements)
        {
            foreach (var s in _statements.Values) s?.Dispose();
            _statements.Clear();
        }
        Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement, out var tail), _handle);
        if (HasStatement(tail))
        {
            statement.Dispose();
            throw new SeveralStatementsException();
        }
        if (!Fits(statement, count))
        {
            statement.Dispose();
            statement = null;
        }
        _statements[sql] = statement;
        return statement;
    }

    private static bool Fits(sqlite3_stmt statement, int count)
    {
        if (statement.IsInvalid || raw.sqlite3_bind_parameter_count(statement) != count) return false;
        for (var i = 1; i <= count; i++)
            if (raw.sqlite3_bind_parameter_name(statement, i).utf8_to_string() != "@p" + (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                return false;
        return true;
    }

    /// <summary>Whether SQL holds a statement (not only blanks, comments and empty statements), by SQLite's tokenizer.</summary>
    private bool HasStatement(string? sql)
    {
        while (!string.IsNullOrWhiteSpace(sql))
        {
            Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement, out var tail), _handle);
            using (statement)
                if (!statement.IsInvalid) return true;
            if (tail is null || tail.Length >= sql.Length) return false;
            sql = tail;
        }
        return false;
    }

    /// <summary>
    /// Whether the file this handle writes to was deleted, renamed or replaced since it was opened
    /// (<c>SQLITE_FCNTL_HAS_MOVED</c>: one <c>stat</c> of the path, compared with the open file's inode).
    /// </summary>
    public static bool HasMoved(SqliteConnection connection)
    {
        var handle = connection.Handle;
        if (handle is null) return false;
        var moved = 0;
        var rc = NativeMethods.sqlite3_file_control(handle.DangerousGetHandle(), MainDatabase, HasMovedOp, ref moved);
        return rc == raw.SQLITE_OK && moved != 0;
    }

    private const int HasMovedOp = 20; // SQLITE_FCNTL_HAS_MOVED
    private static readonly byte[] MainDatabase = "main\0"u8.ToArray();

    private static class NativeMethods
    {
        // The same native library the provider loaded (SQLitePCLRaw's bundle); SQLitePCL.raw does not wrap file_control.
        [System.Runtime.InteropServices.DllImport("e_sqlite3")]
        public static extern int sqlite3_file_control(IntPtr db, byte[] databaseName, int op, ref int arg);
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement), _handle);
        return statement;
    }

    private void Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        try
        {
            Check(rc, _handle);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private static void Done(sqlite3_stmt statement)
    {
        raw.sqlite3_reset(statement);
        raw.sqlite3_clear_bindings(statement);
    }

    /// <summary>Throws the provider's <see cref="SqliteException"/> for a result code other than OK, ROW or DONE.</summary>
    internal static void Check(int rc, sqlite3 handle)
    {
        if (rc is not (0 or 100 or 101)) SqliteException.ThrowExceptionForRC(rc, handle);
    }
}
