using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Actions.Tests.Infrastructure;
using Npgsql;

namespace Actions.Tests.Cluster;

/// <summary>
/// The cluster the repository ships, started by <c>deploy/cluster.sh</c> itself: instances of the built app as separate
/// processes on a fresh PostgreSQL database (on the server of <c>ACTIONS_TEST_POSTGRES</c>), HAProxy in front, all on
/// loopback. Disposing stops every process and drops the database; should the test process die first, the script's
/// watch stops the cluster by itself.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    public const string AdminEmail = "cluster-admin@example.com";
    public const string AdminPassword = "Clust3r-passw0rd!";

    private readonly string _dir;
    private readonly string _database;
    private readonly Dictionary<string, string> _state;
    private bool _disposed;

    private LoopbackCluster(string dir, string database, Dictionary<string, string> state)
    {
        _dir = dir;
        _database = database;
        _state = state;
        LoadBalancer = state["LB_URL"];
        Instances = [.. Enumerable.Range(1, state.Keys.Count(k => k.StartsWith("INSTANCE_", StringComparison.Ordinal) && k.EndsWith("_PID", StringComparison.Ordinal)))
            .Select(n => new Instance($"instance{n}", state[$"INSTANCE_{n}_URL"], int.Parse(state[$"INSTANCE_{n}_PID"], System.Globalization.CultureInfo.InvariantCulture), state[$"INSTANCE_{n}_LOG"]))];
    }

    /// <summary>HAProxy's address.</summary>
    public string LoadBalancer { get; }

    public IReadOnlyList<Instance> Instances { get; }

    /// <summary>
    /// Starts <paramref name="instances"/> instances at once on an empty store, with a bootstrap superuser, the Sample
    /// Database and <paramref name="settings"/> (configuration keys in environment form, e.g. <c>Actions__X__Y</c>).
    /// </summary>
    public static async Task<LoopbackCluster> StartAsync(int instances = 2, IDictionary<string, string>? settings = null)
    {
        var database = $"cluster_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..12]}";
        await ServerAsync($"CREATE DATABASE {database}");
        var store = TargetDatabases.PostgresAdmin();
        store.Database = database;
        var dir = Path.Combine(Path.GetTempPath(), "actions-cluster-tests", Guid.NewGuid().ToString("N")[..12]);

        var start = Script("start", "--detach", "--dir", dir, "--instances", instances.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--app", AppPath(),
            "--watch", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["ACTIONS_CLUSTER_STORE"] = store.ConnectionString;
        start.Environment["Actions__Admin__Email"] = AdminEmail;
        start.Environment["Actions__Admin__Password"] = AdminPassword;
        start.Environment["Actions__SampleData"] = "true";
        // Every request of a test comes from loopback: the public and login limits must not refuse the test's own load.
        start.Environment["Actions__PublicSharing__PerClientPerMinute"] = "1000000";
        start.Environment["Actions__PublicSharing__PerLinkPerSecond"] = "1000000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var (exit, output) = await RunAsync(start, TimeSpan.FromMinutes(5));
        if (exit != 0)
        {
            await ServerAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            throw new InvalidOperationException($"deploy/cluster.sh start failed ({exit}):\n{output}");
        }
        var state = File.ReadAllLines(Path.Combine(dir, "cluster.env"))
            .Select(line => line.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        return new LoopbackCluster(dir, database, state);
    }

    /// <summary>A client of the REST API at <paramref name="baseUrl"/> (the load balancer or one instance), without cookies.</summary>
    public static ApiClient Api(string baseUrl, string? session = null) =>
        new(new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) }, session);

    /// <summary>Signs the bootstrap superuser in through <paramref name="baseUrl"/>.</summary>
    public static async Task<ApiClient> AdminAsync(string baseUrl)
    {
        var api = Api(baseUrl);
        var token = (await api.Post("/api/session", new { username = AdminEmail, password = AdminPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        return api.WithSession(token);
    }

    /// <summary>The instance the load balancer's sticky cookie value names (e.g. <c>instance2</c>).</summary>
    public Instance ByCookie(string value) => Instances.Single(i => i.Name == value);

    /// <summary>Kills the instance at once (<c>kill -9</c>): no shutdown, nothing flushed.</summary>
    public static void Kill(Instance instance)
    {
        using var process = Process.GetProcessById(instance.Pid);
        process.Kill();
        process.WaitForExit(30_000);
    }

    /// <summary>The instance's own log so far (for failure messages).</summary>
    public static string Log(Instance instance) => File.Exists(instance.LogPath) ? File.ReadAllText(instance.LogPath) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await RunAsync(Script("stop", "--dir", _dir), TimeSpan.FromMinutes(1));
        }
        finally
        {
            await ServerAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }
    }

    public sealed record Instance(string Name, string Url, int Pid, string LogPath);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Actions.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Actions.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The app as this test run built it: Actions.Web's output in the test assembly's configuration.</summary>
    private static string AppPath()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(RepositoryRoot(), "Actions.Web", "bin", framework.Parent!.Name, framework.Name, "Actions.Web.dll");
        Assert.True(File.Exists(path), $"The built app is missing at {path}");
        return path;
    }

    private static ProcessStartInfo Script(params string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "deploy", "cluster.sh"));
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    private static async Task<(int Exit, string Output)> RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// A free port for the load balancer, with free ports after it for the instances (cluster.sh takes the next free
    /// ones), below the system's ephemeral range: a port the system may give to any outgoing connection can be taken
    /// between the check and the bind (seen: an instance failing to start with "address already in use").
    /// </summary>
    private static int FreePort()
    {
        var ephemeralStart = File.Exists(EphemeralRange)
            && int.TryParse(File.ReadAllText(EphemeralRange).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            ? start : 32768;
        var upper = Math.Max(ephemeralStart - 20, 20_020);
        while (true)
        {
            var candidate = Random.Shared.Next(20_000, upper);
            if (Enumerable.Range(candidate, 8).All(IsFree)) return candidate;
        }
    }

    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task ServerAsync(string sql)
    {
        var builder = TargetDatabases.PostgresAdmin();
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>One cluster for the tests that do not stop an instance.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public LoopbackCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LoopbackCluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["Actions__ExecutionLog__StoreParameterValues"] = "true",
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Cluster tests run one at a time after the parallel tests (each cluster is several processes on a busy machine), and
/// share one cluster unless a test kills an instance (those start their own).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
