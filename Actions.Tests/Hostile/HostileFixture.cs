using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hostile;

/// <summary>
/// One app process for the suite, with public limits high enough that generated requests reach the real handlers
/// (429 is no failure, but it would hide them), HTTP actions allowed to reach the local echo, and a world of real
/// objects per test, all made before any hostile request (the login throttle counts per address).
/// </summary>
public abstract class HostileFixture : IAsyncLifetime
{
    /// <summary>One world per test that needs its own objects.</summary>
    protected abstract string[] WorldLabels { get; }

    protected virtual bool NeedsRoutes => false;

    public HostileServer Server { get; } = new(new Dictionary<string, string>
    {
        ["Actions:PublicSharing:PerLinkPerSecond"] = "1000000",
        ["Actions:PublicSharing:PerClientPerMinute"] = "1000000",
        ["Actions:HttpActions:AllowPrivateNetworks"] = "true",
        ["Actions:HttpActions:TimeoutSeconds"] = "5",
    });

    public RecordingEcho Echo { get; } = new();
    public IReadOnlyList<RouteInfo> Routes { get; private set; } = [];
    public Dictionary<string, HostileWorld> Worlds { get; } = [];

    public ApiClient Anonymous => new(Server.Http);

    /// <summary>Paths a superuser gave the app (the SQLite targets' files) and may see again in database objects.</summary>
    public string[] TargetPaths => [.. Worlds.Values.Select(w => w.TargetPath)];

    public async Task InitializeAsync()
    {
        if (NeedsRoutes) Routes = RouteCatalog.Read();
        await Echo.StartAsync();
        await Server.StartAsync();
        await HostileWorld.SetUpAppAsync(Anonymous);
        foreach (var label in WorldLabels)
            Worlds[label] = await HostileWorld.CreateAsync(Anonymous, Echo.BaseUrl, label);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Echo.DisposeAsync();
    }
}

/// <summary>The generated requests' app: a world per role, and the route table.</summary>
public sealed class GeneratedRequestsFixture : HostileFixture
{
    protected override string[] WorldLabels => ["anonymous", "member", "superuser", "raw"];
    protected override bool NeedsRoutes => true;
}

/// <summary>The named cases' own app, so that what they store (deliberately broken shapes) meets only them.</summary>
public sealed class NamedCasesFixture : HostileFixture
{
    protected override string[] WorldLabels => ["cases"];
}
