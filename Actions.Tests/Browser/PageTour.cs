using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// Every page of the app, each with a way to reach it in a state worth looking at, for the accessibility check and the
/// screenshots. <see cref="PrepareAsync"/> makes what the pages show: public sharing on, the example query action run
/// once and shared.
/// </summary>
public sealed class PageTour
{
    private static readonly Caller System = new(0, true, new HashSet<int> { 2 });

    public required int QueryActionId { get; init; }
    public required int ModelId { get; init; }
    public required string PublicPath { get; init; }

    /// <summary>Pages for a signed-in administrator: name (for files and messages) and path.</summary>
    public IReadOnlyList<(string Name, string Path)> SignedInPages =>
    [
        ("actions", "/actions"),
        ("editor-new", "/actions/new"),
        ("editor-existing", $"/actions/{QueryActionId}"),
        ("run", $"/actions/{QueryActionId}/run"),
        ("history", "/executions"),
        ("databases", "/admin/databases"),
        ("models", "/models"),
        ("model-browser", $"/models/{ModelId}"),
        ("people", "/admin/people"),
        ("api-keys", "/admin/api-keys"),
        ("secrets", "/admin/secrets"),
        ("settings", "/admin/settings"),
        ("not-found", "/no-such-page"),
    ];

    public static async Task<PageTour> PrepareAsync(BrowserFixture fixture)
    {
        var services = fixture.App.Services;
        await services.GetRequiredService<SettingService>().SetAsync(System, SettingService.EnablePublicSharing, JsonValue.Create(true), default);
        var actions = services.GetRequiredService<ActionService>();
        var action = (await actions.ListAsync(System, null, default)).First(a => a.Name == "Mark order as shipped");
        var uuid = await actions.CreatePublicLinkAsync(System, action.Id, default);
        return new PageTour { QueryActionId = action.Id, ModelId = action.ModelId, PublicPath = $"/public/action/{uuid}" };
    }

    /// <summary>Opens a page and waits until it is live and its content has loaded (no progress bar left).</summary>
    public static async Task OpenAsync(BrowserFixture fixture, IPage page, string path)
    {
        await page.GotoAsync(fixture.BaseUrl + path);
        // The static account pages never become interactive, and the not-found page has no live layout.
        if (!IsStatic(path)) await BrowserSteps.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
    }

    private static bool IsStatic(string path) => path.StartsWith("/account", StringComparison.Ordinal) || path is "/setup" or "/no-such-page";

    /// <summary>The folder of this run's page screenshots (beside the story's, in Actions.Tests/artifacts/).</summary>
    public static string ScreenshotPath(string fileName)
    {
        var path = BrowserFixture.ArtifactPath(Path.Combine("pages", fileName));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
