using System.Net;
using Actions.Data.Store;
using Actions.Web.Components.AdminPages;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the secrets page: each secret's hosts, and a clear warning for a secret that has none.</summary>
[Collection("Components")]
public sealed class SecretsAdminComponentTests(ComponentHost host)
{
    [Fact]
    public async Task The_page_shows_each_secrets_hosts_and_warns_about_a_secret_without_hosts()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string withHosts = "WITH_" + suffix, withoutHosts = "OLD_" + suffix;
        (await host.Admin.Post("/api/secret", new { name = withHosts, value = "v1", allowed_hosts = new[] { "api.example.com", "*.example.org" } })).Expect(HttpStatusCode.OK);
        (await host.Admin.Post("/api/secret", new { name = withoutHosts, value = "v2", allowed_hosts = new[] { "x.example.com" } })).Expect(HttpStatusCode.OK);
        try
        {
            // As the migration leaves a secret made before hosts existed.
            await using (var db = await host.App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
                await db.Secrets.Where(s => s.Name == withoutHosts).ExecuteUpdateAsync(u => u.SetProperty(s => s.AllowedHostsJson, "[]"));

            await using var ctx = host.Context(host.AdminId);
            var page = ctx.Render<SecretsAdmin>();
            page.WaitForAssertion(() => Assert.Contains("api.example.com", page.Find($"[data-hosts='{withHosts}']").TextContent));
            Assert.Contains("*.example.org", page.Find($"[data-hosts='{withHosts}']").TextContent);
            Assert.Contains("cannot be used until hosts are set", page.Find($"[data-hosts='{withoutHosts}']").TextContent);
            Assert.Contains("no allowed hosts and cannot be used", page.Find("[data-testid='secrets-without-hosts']").TextContent);
            Assert.DoesNotContain("v1", page.Find($"[data-hosts='{withHosts}']").ParentElement!.TextContent);
        }
        finally
        {
            await host.Admin.Delete($"/api/secret/{withHosts}");
            await host.Admin.Delete($"/api/secret/{withoutHosts}");
        }
    }

    [Fact]
    public async Task Editing_a_secret_sets_its_hosts()
    {
        var name = "EDIT_" + Guid.NewGuid().ToString("N")[..8];
        (await host.Admin.Post("/api/secret", new { name, value = "v", allowed_hosts = new[] { "a.example.com" } })).Expect(HttpStatusCode.OK);
        try
        {
            await using var ctx = host.Context(host.AdminId);
            var page = ctx.Render<SecretsAdmin>();
            page.WaitForElement($"[data-hosts='{name}']");
            page.Find($"[data-hosts='{name}']").ParentElement!.QuerySelectorAll("button").First(b => b.TextContent.Trim() == "Edit").Click();
            var hosts = page.FindAll("input").First(i => i.GetAttribute("value") == "a.example.com");
            hosts.Change("b.example.com, *.example.net");
            page.FindAll("button").First(b => b.TextContent.Trim() == "Save secret").Click();
            var saved = await ComponentHost.WaitForAsync(async () => (await host.Admin.Get("/api/secret")).Json.AsArray().First(s => s!["name"]!.GetValue<string>() == name)!["allowed_hosts"]!.ToJsonString(),
                h => h != """["a.example.com"]""");
            Assert.Equal("""["b.example.com","*.example.net"]""", saved);
            page.WaitForAssertion(() => Assert.Contains("*.example.net", page.Find($"[data-hosts='{name}']").TextContent));
        }
        finally
        {
            await host.Admin.Delete($"/api/secret/{name}");
        }
    }
}
