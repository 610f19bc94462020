using System.Net;
using Actions.Web.Components.ActionPages;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the share dialog, the public form and what each role sees in the list.</summary>
[Collection("Components")]
public sealed class SharingComponentTests(ComponentHost host)
{
    private static async Task<IRenderedComponent<MudDialogProvider>> ShowShareAsync(BunitContext ctx, int actionId)
    {
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ShareDialog> { { d => d.ActionId, actionId }, { d => d.ActionName, "Example" } };
        await provider.InvokeAsync(() => dialogs.ShowAsync<ShareDialog>("Share", parameters));
        provider.WaitForElement(".mud-dialog");
        return provider;
    }

    private async Task<string?> PublicUuidAsync(int id) =>
        (await host.Admin.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK).Json["public_uuid"]?.GetValue<string>();

    [Fact]
    public async Task Share_dialog_turns_the_public_link_on_and_off_and_shows_it()
    {
        await host.SetPublicSharingAsync(true);
        var id = await host.ExampleActionIdAsync("query");
        await using var ctx = host.Context(host.AdminId);
        var dialog = await ShowShareAsync(ctx, id);
        Assert.DoesNotContain("Public sharing is off", dialog.Markup);

        dialog.Find("input[type='checkbox']").Change(true);
        var uuid = await WaitForAsync(() => PublicUuidAsync(id), u => u is not null);
        dialog.WaitForAssertion(() => Assert.Contains($"/public/action/{uuid}", dialog.Markup));
        Assert.NotNull(dialog.Find("[aria-label='Copy link']"));

        dialog.Find("input[type='checkbox']").Change(false);
        await WaitForAsync(() => PublicUuidAsync(id), u => u is null);
        dialog.WaitForAssertion(() => Assert.DoesNotContain("/public/action/", dialog.Markup));
    }

    [Fact]
    public async Task Share_dialog_says_when_public_sharing_is_off_and_links_to_the_setting()
    {
        await host.SetPublicSharingAsync(false);
        try
        {
            var id = await host.ExampleActionIdAsync("query");
            await using var ctx = host.Context(host.AdminId);
            var dialog = await ShowShareAsync(ctx, id);
            dialog.WaitForAssertion(() => Assert.Contains("Public sharing is off", dialog.Markup));
            Assert.NotNull(dialog.Find("a[href='/admin/settings']"));
            Assert.True(dialog.Find("input[type='checkbox']").HasAttribute("disabled"));
        }
        finally
        {
            await host.SetPublicSharingAsync(true);
        }
    }

    [Fact]
    public async Task Public_form_shows_only_the_form_and_runs_the_action()
    {
        await host.SetPublicSharingAsync(true);
        var id = await host.ExampleActionIdAsync("query");
        var uuid = (await host.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        await using var ctx = host.Context(userId: null);
        var form = ctx.Render<PublicForm>(p => p.Add(f => f.Uuid, uuid));
        form.WaitForAssertion(() => Assert.Contains("Mark order as shipped", form.Find("h1").TextContent));
        Assert.Contains("Sets the status of one order to 'shipped'.", form.Markup);
        Assert.NotEmpty(form.FindAll("[data-field='order_id']"));
        Assert.Empty(form.FindAll("a"));

        // Required field empty: nothing is run.
        var runsBefore = await RunCountAsync(id);
        form.FindAll("button").Single(b => b.GetAttribute("aria-label") is { Length: > 0 }).Click();
        form.WaitForAssertion(() => Assert.Contains("mud-input-error", form.Find("[data-field='order_id']").InnerHtml));
        Assert.Equal(runsBefore, await RunCountAsync(id));

        form.Find("[data-field='order_id'] input").Input("3");
        form.FindAll("button").Single(b => b.GetAttribute("aria-label") is { Length: > 0 }).Click();
        form.WaitForAssertion(() => Assert.Contains("1 order marked as shipped.", form.Markup), TimeSpan.FromSeconds(10));
        var runsAfter = await RunCountAsync(id);
        Assert.Equal(runsBefore + 1, runsAfter);
    }

    [Fact]
    public async Task Public_form_explains_an_unknown_or_revoked_link()
    {
        await using var ctx = host.Context(userId: null);
        var form = ctx.Render<PublicForm>(p => p.Add(f => f.Uuid, Guid.NewGuid().ToString()));
        form.WaitForAssertion(() => Assert.Contains("This link is unknown or was turned off by its owner.", form.Markup));
        Assert.Empty(form.FindAll("[data-field]"));
        Assert.Empty(form.FindAll("button"));
    }

    [Fact]
    public async Task Row_menu_offers_only_what_the_role_allows()
    {
        // The member's groups may read the root collection, not write it: running only, no sharing, editing or deleting.
        foreach (var (user, entries) in new[] { (host.AdminId, new[] { "Run", "Edit", "Share", "Archive", "Delete" }), (host.MemberId, new[] { "Run" }) })
        {
            await using var ctx = host.Context(user, out var popovers);
            var list = ctx.Render<ActionList>();
            list.WaitForAssertion(() => Assert.Contains("Mark order as shipped", list.Markup));
            list.Find("button[aria-label='Actions for Mark order as shipped']").Click();
            popovers.WaitForAssertion(() => Assert.Contains("Run", popovers.Markup));
            Assert.Equal(entries, popovers.FindAll(".mud-menu-item").Select(i => i.TextContent.Trim()).ToArray());
        }
    }

    private async Task<int> RunCountAsync(int id) =>
        (await host.Admin.Get($"/api/action/{id}/execution?limit=1000")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray().Count;

    private static Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done) => ComponentHost.WaitForAsync(read, done);
}
