using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Data.Execution.Log;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>ui.md § The quality bar in a real browser: starting, sign-in pages, the header, filters in the address, the history page, focus.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class QualityBarBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [GeneratedRegex("""(?:href|src)="([^"]+\.(?:css|js))""")]
    private static partial Regex AssetReference();

    /// <summary>A file name with the build's content hash in it (app.q8zkncbkj4.css): the only kind that may be cached for good.</summary>
    [GeneratedRegex(@"\.[a-z0-9]{10}\.(?:css|js)$")]
    private static partial Regex Fingerprinted();

    [Fact]
    public async Task The_published_app_started_from_another_directory_serves_every_static_file_and_caches_only_fingerprinted_ones()
    {
        // <repository>/Actions.Tests/artifacts/x
        var repository = Directory.GetParent(BrowserFixture.ArtifactPath("x"))!.Parent!.Parent!.FullName;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var work = Path.Combine(Path.GetTempPath(), "actions-published", Guid.NewGuid().ToString("N"));
        var published = Path.Combine(work, "app");
        var elsewhere = Directory.CreateDirectory(Path.Combine(work, "elsewhere")).FullName;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

        // Published as an operator would (the build the tests run on; no compression, which takes minutes for Monaco).
        var publish = Process.Start(new ProcessStartInfo(dotnet,
            ["publish", Path.Combine(repository, "Actions.Web", "Actions.Web.csproj"), "--no-build", "-c", configuration, "-p:CompressionEnabled=false", "-o", published, "-v", "q"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var publishOutput = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, publishOutput);

        var port = FreePort();
        var start = new ProcessStartInfo(dotnet) { WorkingDirectory = elsewhere, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(published, "Actions.Web.dll"), $"--urls=http://127.0.0.1:{port}", $"--Actions:DataDir={Path.Combine(work, "data")}" })
            start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var app = Process.Start(start)!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            string? page = null;
            for (var attempt = 0; attempt < 600 && page is null && !app.HasExited; attempt++)
            {
                try { page = await http.GetStringAsync("/setup"); }
                catch (HttpRequestException) { await Task.Delay(200); }
            }
            Assert.False(app.HasExited, "The published app exited at start.");
            var assets = AssetReference().Matches(page!).Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal) && Fingerprinted().IsMatch(a));
            Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
            // The same files also by their plain names, as scripts of other pages and old pages ask for them.
            assets.Add("app.css");
            assets.Add("_content/MudBlazor/MudBlazor.min.js");
            foreach (var asset in assets)
            {
                using var response = await http.GetAsync("/" + asset.TrimStart('/'));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.True(body.Length > 0, $"{asset} was served empty");
                var immutable = response.Headers.CacheControl?.ToString().Contains("immutable", StringComparison.Ordinal) == true;
                Assert.True(immutable == Fingerprinted().IsMatch(asset), $"{asset}: Cache-Control {response.Headers.CacheControl}");
            }
            // A file that does not exist is a 404, never an empty 200 (and never cached).
            foreach (var missing in new[] { "nothing.css", "app.0123456789.css", "_content/MudBlazor/nothing.js" })
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/" + missing)).StatusCode);
        }
        finally
        {
            if (!app.HasExited) app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Sign_in_pages_load_no_code_editor()
    {
        await using (var setup = await fixture.Browser.NewContextAsync()) await BrowserSteps.SignedInAdminAsync(fixture, setup);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requested = new List<string>();
        context.Request += (_, request) => requested.Add(request.Url);
        await page.GotoAsync(fixture.BaseUrl + "/account/login");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.DoesNotContain(requested, url => url.Contains("monaco", StringComparison.OrdinalIgnoreCase) || url.Contains("codemirror", StringComparison.OrdinalIgnoreCase));
        // Signed in, the editor's scripts are there for the pages that need them.
        await BrowserSteps.SignedInAdminAsync(fixture, context);
        Assert.Contains(requested, url => url.Contains("monaco", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_header_names_the_person_and_signs_out_in_one_click()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("Ada Admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login");
        await page.GotoAsync(fixture.BaseUrl + "/actions");
        await page.WaitForURLAsync("**/account/login**");
    }

    [Fact]
    public async Task Filters_live_in_the_address_and_survive_a_reload()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.WaitInteractiveAsync(page);
        await BrowserSteps.PickAsync(page, "Type", "Update row");
        await page.WaitForURLAsync(new Regex("type=row%2Fupdate"));
        await page.ReloadAsync();
        await BrowserSteps.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("td[data-label='Type']").First).ToHaveTextAsync("Update row");
        foreach (var type in await page.Locator("td[data-label='Type']").AllTextContentsAsync()) Assert.Equal("Update row", type.Trim());

        await BrowserSteps.GoAsync(fixture, page, "/executions?outcome=error&period=24h");
        await BrowserSteps.PickAsync(page, "Source", "API");
        await page.WaitForURLAsync(new Regex("source=api"));
        await page.ReloadAsync();
        await BrowserSteps.WaitInteractiveAsync(page);
        Assert.Contains("outcome=error", page.Url);
        foreach (var (label, value) in new[] { ("Outcome", "Error"), ("Source", "API"), ("Period", "Last 24 hours") })
            await Assertions.Expect(page.Locator(".mud-input-control").Filter(new() { HasText = label })).ToContainTextAsync(value);
    }

    [Fact]
    public async Task History_fits_a_1280_pixel_screen_with_long_errors_and_values_and_has_the_chart()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            var longWord = new string('x', 300);
            db.ExecutionLog.Add(new ExecutionLogEntry
            {
                ActionId = 1, ActionName = "Mark order as shipped", ActionType = "query", Source = "api", StartedAt = DateTime.UtcNow, Status = "error", HttpStatus = 400,
                Error = $"The database said: {longWord} and then {string.Concat(Enumerable.Repeat("more words ", 60))}",
                ParametersJson = new JsonObject { ["order_id"] = longWord, ["note"] = string.Concat(Enumerable.Repeat("long value ", 40)) }.ToJsonString(),
            });
            await db.SaveChangesAsync();
        }
        await BrowserSteps.GoAsync(fixture, page, "/executions");
        await Assertions.Expect(page.Locator(".history-error").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("runs-chart").Locator("svg").First).ToBeVisibleAsync();
        var (scrollWidth, clientWidth) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        Assert.True(scrollWidth <= clientWidth, $"The history page is {scrollWidth} px wide in a {clientWidth} px window.");
        await page.ScreenshotAsync(new() { Path = PageTour.ScreenshotPath("history-1280-long-values.png"), FullPage = true });
    }

    [Fact]
    public async Task Keyboard_focus_shows_a_clear_ring_headings_none_and_a_delete_question_starts_on_cancel()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
        await BrowserSteps.GoAsync(fixture, page, "/admin/settings");
        await BrowserSteps.GoAsync(fixture, page, "/actions");
        // After a navigation the heading has the focus (for screen readers) without a ring.
        await Assertions.Expect(page.Locator("h1:focus")).ToHaveCountAsync(1);
        Assert.Equal("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));

        for (var i = 0; i < 4; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = JsonNode.Parse(await page.EvaluateAsync<string>("""
                () => { const s = getComputedStyle(document.activeElement);
                        return JSON.stringify({ tag: document.activeElement.tagName, text: (document.activeElement.textContent || '').trim().slice(0, 40), style: s.outlineStyle, width: parseFloat(s.outlineWidth) }); }
                """))!;
            Assert.True(focused["style"]!.GetValue<string>() != "none" && focused["width"]!.GetValue<double>() >= 2, $"No clear focus ring on {focused.ToJsonString()}");
        }

        var menu = page.GetByRole(AriaRole.Button, new() { Name = "Actions for Mark order as shipped" });
        await menu.ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Delete" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        // Enter on the focused Cancel deleted nothing.
        await Assertions.Expect(page.GetByText("Mark order as shipped")).ToBeVisibleAsync();
    }
}
