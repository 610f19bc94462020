using System.Net;
using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Actions.Tests.Cluster;

/// <summary>One instance of a cluster: an app on the cluster's PostgreSQL store, on the cluster's clock.</summary>
public sealed class ClusterInstance(PostgresStore store, FakeTimeProvider clock, string dataDir, IDictionary<string, string?> settings)
    : AppFactory(store.Settings(settings), dataDir)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock));
    }
}

/// <summary>
/// Two instances, A and B, on one PostgreSQL store, whose clock stands still unless a test moves it, so that no window
/// slides during a test.
/// </summary>
public sealed class TwoInstances : IDisposable
{
    private readonly PostgresStore _store = new();

    public TwoInstances(IDictionary<string, string?>? settings = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        A = new ClusterInstance(_store, Clock, dataDir, settings ?? new Dictionary<string, string?>());
        B = new ClusterInstance(_store, Clock, dataDir, settings ?? new Dictionary<string, string?>());
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public ClusterInstance A { get; }
    public ClusterInstance B { get; }

    /// <summary>The instance the n-th request goes to: A, B, A, B, …</summary>
    public ClusterInstance Alternate(int n) => n % 2 == 0 ? A : B;

    public NpgsqlConnection OpenStore() => _store.Open();

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        _store.Dispose();
    }
}

/// <summary>Deployment point 2: the public limits and the login throttle count requests over every instance.</summary>
public sealed class GlobalLimitTests
{
    [Fact]
    public async Task Executions_of_a_public_link_are_counted_over_both_instances()
    {
        using var cluster = new TwoInstances(new Dictionary<string, string?> { ["Actions:PublicSharing:PerLinkPerSecond"] = "3" });
        var uuid = await PublicLinkAsync(cluster.A);
        var answers = new List<ApiClient.Response>();
        for (var i = 0; i < 8; i++)
            answers.Add(await cluster.Alternate(i).Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } }));
        Assert.Equal(3, answers.Count(a => a.Status == HttpStatusCode.OK));
        Assert.All(answers.Skip(3), a =>
        {
            a.ExpectPlain(HttpStatusCode.TooManyRequests, "Too many attempts! You must wait 1 seconds before trying again.");
            Assert.Equal("1", a.Headers.RetryAfter!.ToString());
        });
        // A second later the window is free again, on both.
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        (await cluster.B.Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        (await cluster.A.Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Public_requests_of_one_client_are_counted_over_both_instances()
    {
        using var cluster = new TwoInstances(new Dictionary<string, string?> { ["Actions:PublicSharing:PerClientPerMinute"] = "4" });
        var uuid = await PublicLinkAsync(cluster.A);
        for (var i = 0; i < 4; i++) (await cluster.Alternate(i).Api().Get($"/api/public/action/{uuid}")).Expect(HttpStatusCode.OK);
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            var limited = await instance.Api().Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } });
            limited.ExpectPlain(HttpStatusCode.TooManyRequests, "Too many attempts! You must wait 60 seconds before trying again.");
            Assert.Equal("60", limited.Headers.RetryAfter!.ToString());
        }
    }

    [Fact]
    public async Task Wrong_passwords_are_counted_over_both_instances()
    {
        using var cluster = new TwoInstances();
        await Seeded.AdminAsync(cluster.A);
        for (var i = 0; i < 10; i++) (await WrongPasswordAsync(cluster.Alternate(i))).Expect(HttpStatusCode.Unauthorized);
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            (await WrongPasswordAsync(instance)).Expect(HttpStatusCode.TooManyRequests);
            (await SignInAsync(instance)).Expect(HttpStatusCode.TooManyRequests);
        }
    }

    [Fact]
    public async Task A_sign_in_on_one_instance_clears_the_count_on_every_instance()
    {
        using var cluster = new TwoInstances();
        await Seeded.AdminAsync(cluster.A);
        for (var i = 0; i < 9; i++) (await WrongPasswordAsync(cluster.Alternate(i))).Expect(HttpStatusCode.Unauthorized);
        (await SignInAsync(cluster.B)).Expect(HttpStatusCode.OK);
        // All ten tries again, and no more, wherever they go.
        for (var i = 0; i < 10; i++) (await WrongPasswordAsync(cluster.A)).Expect(HttpStatusCode.Unauthorized);
        (await WrongPasswordAsync(cluster.B)).Expect(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_slot_given_back_on_one_instance_is_free_on_the_other()
    {
        using var cluster = new TwoInstances();
        var onA = cluster.A.Services.GetRequiredService<LoginThrottle>().ByIp;
        var onB = cluster.B.Services.GetRequiredService<LoginThrottle>().ByIp;
        for (var i = 0; i < onA.Limit; i++) Assert.Equal(0, await onA.TryAcquireAsync("198.51.100.7", default));
        Assert.Equal(900, await onB.TryAcquireAsync("198.51.100.7", default));
        await onB.ReleaseAsync("198.51.100.7", default);
        Assert.Equal(0, await onA.TryAcquireAsync("198.51.100.7", default));
        Assert.Equal(900, await onB.TryAcquireAsync("198.51.100.7", default));
    }

    private static async Task<string> PublicLinkAsync(AppFactory app)
    {
        var s = await ActionSetup.CreateAsync(app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.FixtureAction());
        return (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
    }

    private static Task<ApiClient.Response> WrongPasswordAsync(AppFactory instance) =>
        instance.Api().Post("/api/session", new { username = "admin@example.com", password = "wrong-password" });

    private static Task<ApiClient.Response> SignInAsync(AppFactory instance) =>
        instance.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword });
}

/// <summary>Deployment point 5: background work runs on one instance at a time, and is left to another when one dies.</summary>
public sealed class BackgroundJobLockTests
{
    [Fact]
    public async Task While_one_instance_prunes_the_log_the_other_skips_its_round()
    {
        using var cluster = new TwoInstances(new Dictionary<string, string?> { ["Actions:ExecutionLog:RetentionDays"] = "30" });
        var s = await ActionSetup.CreateAsync(cluster.A);
        var id = await s.CreateAsync(s.FixtureAction());
        await using (var db = await cluster.A.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.ExecutionLog.Add(new ExecutionLogEntry
            {
                ActionId = id, ActionName = "old", ActionType = "query", Source = "api", StartedAt = DateTime.UtcNow.AddDays(-90), Status = "success", HttpStatus = 200,
            });
            await db.SaveChangesAsync();
        }
        var onB = cluster.B.Services.GetRequiredService<ExecutionLogRetention>();

        // A is in the middle of a round: it holds the job's lock.
        var roundOnA = await cluster.A.Services.GetRequiredService<StoreLocks>().TryTakeAsync(StoreLocks.ExecutionLogRetention, default);
        Assert.NotNull(roundOnA);
        Assert.False(await onB.RunRoundAsync(default));
        Assert.Equal(1, await LogEntriesAsync(s, id));

        await roundOnA.DisposeAsync();
        Assert.True(await onB.RunRoundAsync(default));
        Assert.Equal(0, await LogEntriesAsync(s, id));
    }

    [Fact]
    public async Task An_instance_that_dies_holding_a_job_leaves_it_to_another()
    {
        using var cluster = new TwoInstances();
        var locks = new[] { cluster.A, cluster.B }.Select(i => i.Services.GetRequiredService<StoreLocks>()).ToArray();
        var held = await locks[0].TryTakeAsync(StoreLocks.ThrottleSweep, default);
        Assert.NotNull(held);
        Assert.Null(await locks[1].TryTakeAsync(StoreLocks.ThrottleSweep, default));
        // Other jobs are not held up by it.
        await using (var retention = await locks[1].TryTakeAsync(StoreLocks.ExecutionLogRetention, default)) Assert.NotNull(retention);

        // A's connection goes away with its process: PostgreSQL ends the session and its locks (the call waits until
        // the session has ended).
        await using (var store = cluster.OpenStore())
        {
            await using var kill = new NpgsqlCommand("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND classid::bigint = @high AND objid::bigint = @low AND objsubid = 1
                """, store);
            kill.Parameters.AddWithValue("high", StoreLocks.ThrottleSweep >> 32);
            kill.Parameters.AddWithValue("low", StoreLocks.ThrottleSweep & 0xFFFFFFFF);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }
        await using (var taken = await locks[1].TryTakeAsync(StoreLocks.ThrottleSweep, default)) Assert.NotNull(taken);
        await held.DisposeAsync();
    }

    private static async Task<int> LogEntriesAsync(ActionSetup s, int actionId) =>
        (await s.Admin.Get($"/api/action/{actionId}/execution")).Expect(HttpStatusCode.OK).Json["total"]!.GetValue<int>();
}
