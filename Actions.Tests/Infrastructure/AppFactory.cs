using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Actions.Tests.Infrastructure;

/// <summary>
/// The real app on a fresh DataDir (real SQLite files) per factory. Extra settings are passed the way
/// scripts pass them (configuration keys); the Sample Database is off unless a test turns it on.
/// With <c>ACTIONS_TEST_APP_STORE=postgres</c> the app store is a fresh PostgreSQL database instead (on the server
/// of <c>ACTIONS_TEST_POSTGRES</c>), one per DataDir, dropped when its last factory is disposed.
/// </summary>
public class AppFactory : WebApplicationFactory<Program>
{
    public const string StoreVariable = "ACTIONS_TEST_APP_STORE";

    /// <summary>Whether this test run puts the app store on PostgreSQL.</summary>
    public static bool PostgresStore { get; } =
        string.Equals(Environment.GetEnvironmentVariable(StoreVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataDir;
    private readonly PostgresStoreDatabase? _store;

    public AppFactory() : this(new Dictionary<string, string?>()) { }

    /// <param name="postgresStore">True puts the store on PostgreSQL whatever <see cref="StoreVariable"/> says (cluster tests).</param>
    public AppFactory(IDictionary<string, string?> settings, string? dataDir = null, bool postgresStore = false)
    {
        _dataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>(settings);
        _settings.TryAdd("Actions:SampleData", "false");
        _settings["Actions:DataDir"] = _dataDir;
        if (PostgresStore || postgresStore)
        {
            _store = PostgresStoreDatabase.Acquire(_dataDir);
            _settings.TryAdd("Actions:AppDbProvider", "Postgres");
            _settings.TryAdd("ConnectionStrings:AppDb", _store.ConnectionString);
        }
    }

    /// <summary>
    /// The app's data folder. A test reads it to start another factory on the same store (a restart), so from then
    /// on the store outlives this factory, until the test process ends (a test may restart more than once).
    /// </summary>
    public string DataDir
    {
        get
        {
            _store?.KeepForRestart();
            return _dataDir;
        }
    }

    /// <summary>A connection of its own to the app store, past the app (for reading or changing what is stored).</summary>
    public DbConnection OpenStore()
    {
        DbConnection connection = _store is null
            ? new SqliteConnection($"Data Source={Path.Combine(_dataDir, "actions.db")};Pooling=False")
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_store.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public ApiClient Api(string? session = null) =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress }), session);

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            // Also when the app never started (a start-up failure under test).
            SqliteConnection.ClearAllPools();
            if (!_disposed) _store?.Release();
            _disposed = true;
        }
    }

    /// <summary>A PostgreSQL app store database, shared by the factories started on one DataDir.</summary>
    private sealed class PostgresStoreDatabase
    {
        private static readonly ConcurrentDictionary<string, PostgresStoreDatabase> ByDataDir = new();
        private static readonly object Gate = new();
        private static readonly List<PostgresStoreDatabase> Kept = [];
        private int _factories;
        private bool _keep;
        private bool _dropped;

        private PostgresStoreDatabase(string name)
        {
            Name = name;
            var builder = TargetDatabases.PostgresAdmin();
            builder.Database = name;
            ConnectionString = builder.ConnectionString;
        }

        static PostgresStoreDatabase() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            List<PostgresStoreDatabase> kept;
            lock (Gate) kept = [.. Kept];
            Parallel.ForEach(kept, store => store.Drop());
        };

        public string Name { get; }
        public string ConnectionString { get; }

        public static PostgresStoreDatabase Acquire(string dataDir)
        {
            lock (Gate)
            {
                if (!ByDataDir.TryGetValue(dataDir, out var store) || store._dropped)
                {
                    if (ByDataDir.IsEmpty) DropLeftovers();
                    store = new PostgresStoreDatabase($"{Prefix}{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..12]}");
                    store.Admin($"CREATE DATABASE {store.Name}");
                    ByDataDir[dataDir] = store;
                }
                store._factories++;
                return store;
            }
        }

        private const string Prefix = "app_";

        /// <summary>
        /// Stores that earlier test processes on this machine left behind (kept for a restart, when their process
        /// ended before its exit handler could drop them): their names carry the process id, gone by now.
        /// </summary>
        private static void DropLeftovers()
        {
            var builder = TargetDatabases.PostgresAdmin();
            builder.Pooling = false;
            var names = new List<string>();
            using (var connection = new NpgsqlConnection(builder.ConnectionString))
            {
                connection.Open();
                using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'app\\_%'", connection);
                using var reader = command.ExecuteReader();
                while (reader.Read()) names.Add(reader.GetString(0));
            }
            foreach (var name in names)
            {
                var parts = name[Prefix.Length..].Split('_');
                if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
                new PostgresStoreDatabase(name).Drop();
            }
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        public void KeepForRestart()
        {
            lock (Gate)
            {
                if (_keep) return;
                _keep = true;
                Kept.Add(this);
            }
        }

        public void Release()
        {
            lock (Gate)
            {
                if (--_factories > 0 || _keep) return;
            }
            Drop();
        }

        private void Drop()
        {
            lock (Gate)
            {
                if (_dropped) return;
                _dropped = true;
            }
            using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
            Admin($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }

        private void Admin(string sql) => TargetDatabases.ExecPostgresAdmin(sql);
    }
}
