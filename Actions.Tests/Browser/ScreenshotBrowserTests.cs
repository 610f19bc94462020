using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// Screenshots of every page in light and dark at 1440×900, and of the public form on a phone (390×844), saved by the
/// test run in Actions.Tests/artifacts/pages/ for people to look at (nothing is compared).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task ShootAsync(IPage page, string name)
    {
        var path = PageTour.ScreenshotPath($"{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"{path} is empty");
    }

    [Fact]
    public async Task Every_page_is_photographed_in_light_and_dark()
    {
        // The setup page exists only until the first person is made.
        await using (var first = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } }))
        {
            var setup = await first.NewPageAsync();
            await PageTour.OpenAsync(fixture, setup, "/setup");
            await ShootAsync(setup, "setup-light");
            await BrowserSteps.SignedInAdminAsync(fixture, first);
        }
        var tour = await PageTour.PrepareAsync(fixture);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var suffix = scheme == ColorScheme.Dark ? "dark" : "light";
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 }, ColorScheme = scheme });
            var login = await context.NewPageAsync();
            await PageTour.OpenAsync(fixture, login, "/account/login");
            await ShootAsync(login, $"login-{suffix}");
            var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
            foreach (var (name, path) in tour.SignedInPages)
            {
                await PageTour.OpenAsync(fixture, page, path);
                await ShootAsync(page, $"{name}-{suffix}");
            }

            foreach (var (device, width, height) in new[] { ("desktop", 1440, 900), ("phone", 390, 844) })
            {
                await using var anonymous = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, ColorScheme = scheme });
                var visitor = await anonymous.NewPageAsync();
                await PageTour.OpenAsync(fixture, visitor, tour.PublicPath);
                await ShootAsync(visitor, $"public-form-{device}-{suffix}");
            }
        }
    }
}
