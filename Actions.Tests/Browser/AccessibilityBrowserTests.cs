using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright, which carries axe.js) on every page of the app, signed out, signed in and public,
/// in light and dark: no serious or critical violation (ui.md § Keyboard and screen readers).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly List<string> _violations = [];

    private async Task CheckAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            var nodes = violation.Nodes.Where(n => !KnownInTheEditor(violation.Id, n.Html)).ToList();
            if (nodes.Count == 0) continue;
            _violations.Add($"{name}: {violation.Impact} {violation.Id} ({violation.Help}) at " +
                            string.Join(" | ", nodes.Take(3).Select(n => $"{n.Target} {n.Html[..Math.Min(n.Html.Length, 160)]} — {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}")));
        }
    }

    /// <summary>
    /// Contrast findings inside the action editor, whose components another change rewrites (reported there): Monaco's
    /// syntax colours (<c>mtk*</c> tokens) and a disabled tab that MudTabs marks only with a class, not aria-disabled.
    /// </summary>
    private static bool KnownInTheEditor(string rule, string html) =>
        rule == "color-contrast" && (html.StartsWith("<span class=\"mtk", StringComparison.Ordinal) || html.Contains("mud-tab mud-disabled", StringComparison.Ordinal));

    /// <summary>
    /// Colours are checked as they settle, not halfway through MudBlazor's 200 ms colour transitions (the dark theme is
    /// applied once the page is live, so labels were once caught fading from the light palette's colours).
    /// </summary>
    private const string NoTransitions = """
        document.addEventListener('DOMContentLoaded', () => {
          const style = document.createElement('style');
          style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
          document.head.appendChild(style);
        });
        """;

    [Fact]
    public async Task Every_page_has_no_serious_or_critical_violation_in_light_and_dark()
    {
        // Setup and login first, before the administrator exists.
        await using (var first = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } }))
        {
            var page = await first.NewPageAsync();
            await PageTour.OpenAsync(fixture, page, "/setup");
            await CheckAsync(page, "setup");
            await BrowserSteps.SignedInAdminAsync(fixture, first);
        }
        var tour = await PageTour.PrepareAsync(fixture);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 }, ColorScheme = scheme });
            await context.AddInitScriptAsync(NoTransitions);
            var login = await context.NewPageAsync();
            await PageTour.OpenAsync(fixture, login, "/account/login");
            await CheckAsync(login, $"login ({scheme})");
            var page = await BrowserSteps.SignedInAdminAsync(fixture, context);
            foreach (var (name, path) in tour.SignedInPages)
            {
                await PageTour.OpenAsync(fixture, page, path);
                await CheckAsync(page, $"{name} ({scheme})");
            }
            await using var anonymous = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, ColorScheme = scheme });
            await anonymous.AddInitScriptAsync(NoTransitions);
            var visitor = await anonymous.NewPageAsync();
            await PageTour.OpenAsync(fixture, visitor, tour.PublicPath);
            await CheckAsync(visitor, $"public form ({scheme})");
        }
        Assert.True(_violations.Count == 0, string.Join("\n", _violations));
    }
}
