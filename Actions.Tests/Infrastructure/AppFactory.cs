using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.Infrastructure;

/// <summary>
/// The real app on a fresh DataDir (real SQLite files) per factory. Extra settings are passed the way
/// scripts pass them (configuration keys); the Sample Database is off unless a test turns it on.
/// </summary>
public class AppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public AppFactory() : this(new Dictionary<string, string?>()) { }

    public AppFactory(IDictionary<string, string?> settings, string? dataDir = null)
    {
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>(settings);
        _settings.TryAdd("Actions:SampleData", "false");
        _settings["Actions:DataDir"] = DataDir;
    }

    public string DataDir { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public ApiClient Api(string? session = null) =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress }), session);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
    }
}
