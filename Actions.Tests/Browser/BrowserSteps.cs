using Microsoft.Playwright;

namespace Actions.Tests.Browser;

/// <summary>Steps the browser tests share: signing in as the story's administrator, waiting for a live page, picking from a select.</summary>
public static class BrowserSteps
{
    public const string AdminEmail = "story@example.com";
    public const string AdminPassword = "St0ry-passw0rd!";

    /// <summary>Creates the administrator through /setup when the app has no user yet, then signs in.</summary>
    public static Task<IPage> SignedInAdminAsync(BrowserFixture fixture, IBrowserContext context) => SignedInAdminAsync(fixture.BaseUrl, context);

    /// <summary>The same on the app at <paramref name="baseUrl"/>.</summary>
    public static async Task<IPage> SignedInAdminAsync(string baseUrl, IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/setup");
        if (page.Url.EndsWith("/setup", StringComparison.Ordinal))
        {
            await page.GetByLabel("First name").FillAsync("Ada");
            await page.GetByLabel("Last name").FillAsync("Admin");
            await page.GetByLabel("Email").FillAsync(AdminEmail);
            await page.GetByLabel("Password").FillAsync(AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
            await page.WaitForURLAsync("**/account/login");
        }
        await page.GotoAsync(baseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync(AdminEmail);
        await page.GetByLabel("Password").FillAsync(AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/actions");
        return page;
    }

    /// <summary>Blazor ignores input until the page is live; the layouts render #app-interactive once it is.</summary>
    public static async Task WaitInteractiveAsync(IPage page) =>
        await page.Locator("#app-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 15000 });

    public static async Task GoAsync(BrowserFixture fixture, IPage page, string path)
    {
        await page.GotoAsync(fixture.BaseUrl + path);
        await WaitInteractiveAsync(page);
    }

    public static async Task PickAsync(IPage page, string label, string option)
    {
        await page.GetByLabel(label, new() { Exact = true }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
    }

    /// <summary>Clicks into the Monaco SQL editor and types, as a person would, then checks the editor shows exactly that.</summary>
    public static async Task TypeSqlAsync(IPage page, string sql)
    {
        var lines = page.Locator(".sql-monaco .view-lines");
        await lines.WaitForAsync();
        await lines.ClickAsync();
        await page.Keyboard.TypeAsync(sql, new() { Delay = 10 });
        await Assertions.Expect(lines).ToHaveTextAsync(sql);
    }
}
