using System.Net;
using Actions.Web.Components.AdminPages;
using AngleSharp.Dom;
using Bunit;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the people page: group membership and the collection permissions grid.</summary>
[Collection("Components")]
public sealed class PeopleComponentTests(ComponentHost host)
{
    /// <summary>Opens a MudSelect (given its combobox) and clicks the item with <paramref name="text"/> in the popover provider.</summary>
    private static void Choose(IElement select, IRenderedComponent<MudPopoverProvider> popovers, string text)
    {
        select.Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == text));
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == text).Click();
    }

    private async Task<string> RootLevelOfAllUsersAsync() =>
        (await host.Admin.Get("/api/collection/graph")).Expect(HttpStatusCode.OK).Json["groups"]!["1"]!["root"]!.GetValue<string>();

    [Fact]
    public async Task The_permissions_grid_shows_each_groups_level_and_changes_it()
    {
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var page = ctx.Render<PeopleAdmin>();
        page.WaitForElement("[data-testid='permissions-grid']");
        Assert.Equal("read", page.Find("[data-permission='1:root']").TextContent.Trim());
        // Administrators always may do everything: no row to change.
        Assert.Empty(page.FindAll("[data-permission^='2:']"));

        try
        {
            Choose(page.Find("[data-permission='1:root']"), popovers, "write");
            await WaitUntilAsync(async () => await RootLevelOfAllUsersAsync() == "write");
            page.WaitForAssertion(() => Assert.Equal("write", page.Find("[data-permission='1:root']").TextContent.Trim()));
        }
        finally
        {
            await host.SetAllUsersOnRootAsync("read");
        }
    }

    [Fact]
    public async Task A_stale_grid_reports_the_other_change_instead_of_overwriting_it()
    {
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var page = ctx.Render<PeopleAdmin>();
        page.WaitForElement("[data-testid='permissions-grid']");

        // Someone else changes the graph after the page was read (to the same level, so the fixture's state stays).
        await host.SetAllUsersOnRootAsync("read");

        Choose(page.Find("[data-permission='1:root']"), popovers, "none");
        page.WaitForAssertion(() => Assert.Contains("Someone else changed the permissions meanwhile", page.Markup));
        Assert.Equal("read", await RootLevelOfAllUsersAsync());
    }

    [Fact]
    public async Task Choosing_groups_for_a_person_adds_and_removes_memberships()
    {
        var name = $"Support {Guid.NewGuid():N}"[..16];
        var groupId = (await host.Admin.Post("/api/permissions/group", new { name })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        await using var ctx = host.Context(host.AdminId, out var popovers);
        var page = ctx.Render<PeopleAdmin>();
        page.WaitForElement("[data-testid='permissions-grid']");
        var member = (await host.Admin.Get($"/api/user/{host.MemberId}")).Expect(HttpStatusCode.OK).Json["email"]!.GetValue<string>();

        Choose(page.Find($"[data-groups='{member}']"), popovers, name);
        await WaitUntilAsync(async () => (await GroupIdsAsync()).Contains(groupId));

        page.WaitForAssertion(() => Assert.Contains(name, page.Find($"[data-groups='{member}']").OuterHtml));
        Choose(page.Find($"[data-groups='{member}']"), popovers, name);
        await WaitUntilAsync(async () => !(await GroupIdsAsync()).Contains(groupId));
        Assert.Contains(1, await GroupIdsAsync());
    }

    private async Task<List<int>> GroupIdsAsync() =>
        (await host.Admin.Get($"/api/user/{host.MemberId}")).Expect(HttpStatusCode.OK).Json["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()).ToList();

    private static Task WaitUntilAsync(Func<Task<bool>> done) => ComponentHost.WaitForAsync(done, d => d);
}
