using Actions.Tests.Browser;
using Microsoft.Playwright;

namespace Actions.Tests.Cluster;

/// <summary>
/// deployment.md point 8 through the real cluster: HAProxy keeps a browser on one instance (its sticky cookie) and
/// passes the page's WebSocket; when that instance dies the browser lands on the other, still signed in.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterBrowserTests
{
    [Fact]
    public async Task A_browser_signed_in_through_the_balancer_stays_signed_in_when_its_instance_dies()
    {
        Assert.True(File.Exists(BrowserFixture.ChromiumPath), $"Chromium is missing at {BrowserFixture.ChromiumPath}: run ./test.sh as root or apt-get install -y chromium");
        await using var cluster = await LoopbackCluster.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(cluster.LoadBalancer + "/account/login");
        await page.GetByLabel("Email").FillAsync(LoopbackCluster.AdminEmail);
        await page.GetByLabel("Password").FillAsync(LoopbackCluster.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/actions", new() { Timeout = 60_000 });
        // The page is live: its WebSocket goes through HAProxy to the instance the sticky cookie names.
        await BrowserSteps.WaitInteractiveAsync(page);
        var first = await StickyInstanceAsync(context);
        await Assertions.Expect(page.GetByText("Sign out")).ToBeVisibleAsync();

        LoopbackCluster.Kill(cluster.ByCookie(first));
        await ReloadAsync(page);

        Assert.EndsWith("/actions", page.Url, StringComparison.Ordinal);
        await BrowserSteps.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByText("Sign out")).ToBeVisibleAsync();
        Assert.NotEqual(first, await StickyInstanceAsync(context));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("cluster-after-instance-died.png") });
    }

    /// <summary>
    /// Reloads the page as a person would. Blazor may be reloading it itself at that moment (its circuit is gone), which
    /// aborts one of the two navigations: then the person reloads again.
    /// </summary>
    private static async Task ReloadAsync(IPage page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.ReloadAsync(new() { Timeout = 60_000 });
                return;
            }
            catch (PlaywrightException e) when (attempt < 5 && e.Message.Contains("ERR_ABORTED", StringComparison.Ordinal))
            {
                await page.WaitForLoadStateAsync(LoadState.Load);
            }
        }
    }

    private static async Task<string> StickyInstanceAsync(IBrowserContext context) =>
        Assert.Single(await context.CookiesAsync(), c => c.Name == "ACTIONS_INSTANCE").Value;
}
