using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// The real app on a Kestrel port and Debian's Chromium driven by Playwright (never a downloaded browser).
/// Screenshots go to <c>Actions.Tests/artifacts/</c>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public AppFactory App { get; } = new(new Dictionary<string, string?> { ["Actions:SampleData"] = "true" });
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: run ./test.sh as root or apt-get install -y chromium");
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = BaseUrlOf(App);
        _playwright = await Playwright.CreateAsync();
        // The suite runs test classes in parallel on two cores: give pages time rather than fail on a busy machine.
        Assertions.SetDefaultExpectTimeout(20_000);
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's Chromium, headless.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>The address a started app listens on, for the browser.</summary>
    public static string BaseUrlOf(AppFactory app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    public static string ArtifactPath(string fileName)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Actions.sln"))) dir = dir.Parent;
        var artifacts = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "Actions.Tests", "artifacts");
        Directory.CreateDirectory(artifacts);
        return Path.Combine(artifacts, fileName);
    }
}

/// <summary>Browser tests run alone, after the parallel API tests, so that a busy machine does not time them out.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
