using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Execution.Log;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.ActionApi;

/// <summary>The execution log: one entry per run from every source, redaction, filters and permissions.</summary>
public sealed class ExecutionLogTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Every_run_is_logged_with_redacted_values_newest_first()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1, name = "Secret-Value" } })).Expect(HttpStatusCode.OK);
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = "bad" } })).Expect(HttpStatusCode.BadRequest);
        var (outsider, outsiderId) = await Seeded.UserAsync(s.Admin);
        var collection = (await s.Admin.Post("/api/collection", new { name = "Closed" })).Json["id"]!.GetValue<int>();
        (await s.Admin.Put($"/api/card/{s.Models["categories"]}", new { collection_id = collection })).Expect(HttpStatusCode.OK);
        (await s.Admin.Put("/api/collection/graph", new JsonObject { ["groups"] = new JsonObject { ["1"] = new JsonObject { [collection.ToString()] = "none" } } }.ToJsonString())).Expect(HttpStatusCode.OK);
        (await outsider.Post($"/api/action/{id}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.Forbidden);

        var page = (await s.Admin.Get($"/api/action/{id}/execution")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(3, page["total"]!.GetValue<int>());
        var entries = page["data"]!.AsArray();
        var forbidden = entries[0]!;
        Assert.Equal(403, forbidden["http_status"]!.GetValue<int>());
        Assert.Equal(outsiderId, forbidden["user_id"]!.GetValue<int>());
        Assert.Equal("error", forbidden["status"]!.GetValue<string>());
        var failed = entries[1]!;
        Assert.Equal(400, failed["http_status"]!.GetValue<int>());
        Assert.Contains("is not a number", failed["error"]!.GetValue<string>());
        Assert.Null(failed["result"]);
        var success = entries[2]!;
        Assert.Equal("success", success["status"]!.GetValue<string>());
        Assert.Equal("api", success["source"]!.GetValue<string>());
        Assert.Equal(1, success["user_id"]!.GetValue<int>());
        Assert.Equal(1, success["result"]!["rows-affected"]!.GetValue<int>());
        Assert.Equal("<redacted>", success["parameters"]!["name"]!.GetValue<string>());
        Assert.Equal("query", success["action_type"]!.GetValue<string>());
        Assert.Equal("Rename category", success["action_name"]!.GetValue<string>());
        Assert.True(success["duration_ms"]!.GetValue<int>() >= 0);
        Assert.DoesNotContain("Secret-Value", page.ToJsonString());

        var paged = (await s.Admin.Get($"/api/action/{id}/execution?limit=1&offset=1")).Json;
        Assert.Equal(failed["id"]!.GetValue<long>(), paged["data"]![0]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Global_log_filters_by_action_status_and_source_and_is_for_superusers()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var a = await s.CreateAsync(s.FixtureAction());
        var b = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'b' WHERE id = 3", name: "B"));
        (await s.Admin.Post($"/api/action/{a}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        (await s.Admin.Post($"/api/action/{a}/execute", new { parameters = new { id = "x" } })).Expect(HttpStatusCode.BadRequest);
        (await s.Admin.Post($"/api/action/{b}/execute")).Expect(HttpStatusCode.OK);

        Assert.Equal(3, (await s.Admin.Get("/api/execution")).Expect(HttpStatusCode.OK).Json["total"]!.GetValue<int>());
        Assert.Equal(2, (await s.Admin.Get($"/api/execution?action-id={a}")).Json["total"]!.GetValue<int>());
        Assert.Equal(1, (await s.Admin.Get("/api/execution?status=error")).Json["total"]!.GetValue<int>());
        Assert.Equal(3, (await s.Admin.Get("/api/execution?source=api")).Json["total"]!.GetValue<int>());
        Assert.Equal(0, (await s.Admin.Get("/api/execution?source=public")).Json["total"]!.GetValue<int>());
        (await s.Admin.Get("/api/execution?status=maybe")).Expect(HttpStatusCode.BadRequest);
        var (user, _) = await Seeded.UserAsync(s.Admin);
        (await user.Get("/api/execution")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
    }

    [Fact]
    public async Task Values_are_kept_when_configured_and_entries_survive_a_restart()
    {
        string dataDir;
        int id;
        using (var app = new AppFactory(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" }))
        {
            dataDir = app.DataDir;
            var s = await ActionSetup.CreateAsync(app);
            id = await s.CreateAsync(s.FixtureAction());
            for (var i = 0; i < 20; i++) (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1, name = $"n{i}" } })).Expect(HttpStatusCode.OK);
        }
        // A clean shutdown drains the queue: every entry is there after a restart.
        using var again = new AppFactory(new Dictionary<string, string?>(), dataDir);
        var token = (await again.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword })).Json["id"]!.GetValue<string>();
        var page = (await again.Api(token).Get($"/api/action/{id}/execution?limit=100")).Json;
        Assert.Equal(20, page["total"]!.GetValue<int>());
        Assert.Equal("n19", page["data"]![0]!["parameters"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Entries_past_the_retention_period_are_removed_and_the_rest_kept()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:ExecutionLog:RetentionDays"] = "30" });
        var s = await ActionSetup.CreateAsync(app);
        var id = await s.CreateAsync(s.FixtureAction());
        var now = DateTime.UtcNow;
        var contexts = app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            // Older entries first, as the log stores them: five past the period, one just inside it.
            foreach (var days in new[] { 400, 90, 45, 31, 30.5, 29 })
                db.ExecutionLog.Add(new ExecutionLogEntry
                {
                    ActionId = id, ActionName = "old", ActionType = "query", Source = "api", StartedAt = now.AddDays(-days), Status = "success", HttpStatus = 200,
                });
            await db.SaveChangesAsync();
        }
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 2 } })).Expect(HttpStatusCode.OK);
        Assert.Equal(8, (await s.Admin.Get($"/api/action/{id}/execution")).Json["total"]!.GetValue<int>());

        // Steps of two ids: the five old entries take three steps.
        Assert.Equal(5, await app.Services.GetRequiredService<ExecutionLogRetention>().PruneAsync(default, step: 2));
        var page = (await s.Admin.Get($"/api/action/{id}/execution")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(3, page["total"]!.GetValue<int>());
        Assert.All(page["data"]!.AsArray(), e => Assert.True(e!["started_at"]!.GetValue<DateTime>() > now.AddDays(-30)));
        Assert.Equal(0, await app.Services.GetRequiredService<ExecutionLogRetention>().PruneAsync(default));
    }

    [Fact]
    public async Task Without_a_retention_period_every_entry_is_kept()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.ExecutionLog.Add(new ExecutionLogEntry { ActionId = id, ActionName = "old", ActionType = "query", Source = "api", StartedAt = DateTime.UtcNow.AddYears(-5), Status = "success", HttpStatus = 200 });
            await db.SaveChangesAsync();
        }
        Assert.Equal(0, await _app.Services.GetRequiredService<ExecutionLogRetention>().PruneAsync(default));
        Assert.Equal(1, (await s.Admin.Get($"/api/action/{id}/execution")).Json["total"]!.GetValue<int>());
    }
}
