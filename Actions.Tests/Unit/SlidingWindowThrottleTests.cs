using Actions.Data.Security;
using Actions.Data.Store;
using Actions.Tests.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace Actions.Tests.Unit;

/// <summary>The throttle events of each provider: a SQLite store's in memory, a migrated PostgreSQL store's in its table.</summary>
public sealed class ThrottleStores : IDisposable
{
    private readonly MemoryThrottleStore _sqlite = new();
    private readonly PostgresThrottleStore _postgres;

    public ThrottleStores()
    {
        Postgres.Migrate();
        _postgres = new PostgresThrottleStore(Postgres.ConnectionString);
    }

    public PostgresStore Postgres { get; } = new();

    public ThrottleStore this[string provider] => provider == AppStoreProvider.Postgres ? _postgres : _sqlite;

    /// <summary>Another instance's view of the PostgreSQL store: its own connections.</summary>
    public ThrottleStore OtherPostgresInstance() => new PostgresThrottleStore(Postgres.ConnectionString);

    public void Dispose()
    {
        _postgres.Dispose();
        Postgres.Dispose();
    }
}

/// <summary>The sliding window, counted in the store, on both providers.</summary>
public sealed class SlidingWindowThrottleTests(ThrottleStores stores) : IClassFixture<ThrottleStores>
{
    public static TheoryData<string> Providers => [AppStoreProvider.Sqlite, AppStoreProvider.Postgres];

    /// <summary>A throttle of its own scope, so that tests sharing a store never count each other's events.</summary>
    private SlidingWindowThrottle Throttle(string provider, int limit, TimeSpan window, TimeProvider time) =>
        new(stores[provider], "test-" + Guid.NewGuid().ToString("N"), limit, window, time);

    [Theory, MemberData(nameof(Providers))]
    public async Task Allows_up_to_the_limit_then_says_how_long_to_wait(string provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var throttle = Throttle(provider, 3, TimeSpan.FromMinutes(1), time);
        Assert.Equal(0, await throttle.TryAcquireAsync("a", default));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await throttle.TryAcquireAsync("a", default));
        Assert.Equal(0, await throttle.TryAcquireAsync("a", default));
        // The first event leaves the window 50 s from now.
        Assert.Equal(50, await throttle.TryAcquireAsync("a", default));
        Assert.Equal(0, await throttle.TryAcquireAsync("b", default));
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, await throttle.TryAcquireAsync("a", default));
        Assert.Equal(10, await throttle.TryAcquireAsync("a", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Wait_is_at_least_one_second_and_reset_clears_a_key(string provider)
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(provider, 1, TimeSpan.FromSeconds(1), time);
        Assert.Equal(0, await throttle.TryAcquireAsync("k", default));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, await throttle.TryAcquireAsync("k", default));
        await throttle.ResetAsync("k", default);
        Assert.Equal(0, await throttle.TryAcquireAsync("k", default));
        // Exactly one window later the event has left it.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await throttle.TryAcquireAsync("k", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_released_event_no_longer_counts(string provider)
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(provider, 2, TimeSpan.FromMinutes(15), time);
        Assert.Equal(0, await throttle.TryAcquireAsync("e", default));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await throttle.TryAcquireAsync("e", default));
        Assert.Equal(840, await throttle.TryAcquireAsync("e", default));
        // The newest event is the one taken back: the oldest still leaves the window first.
        await throttle.ReleaseAsync("e", default);
        Assert.Equal(0, await throttle.TryAcquireAsync("e", default));
        Assert.Equal(840, await throttle.TryAcquireAsync("e", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Long_keys_and_keys_postgres_text_cannot_hold_are_counted_apart(string provider)
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(provider, 1, TimeSpan.FromMinutes(1), time);
        string[] keys = [new string('x', 300), new string('x', 299) + "y", "a\0b", "a\uFFFDb", "lone\uD800", "lone\uDC00", "pair\U0001F600"];
        foreach (var key in keys) Assert.Equal(0, await throttle.TryAcquireAsync(key, default));
        foreach (var key in keys) Assert.Equal(60, await throttle.TryAcquireAsync(key, default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Concurrent_acquires_never_exceed_the_limit(string provider)
    {
        var throttle = Throttle(provider, 100, TimeSpan.FromHours(1), TimeProvider.System);
        var allowed = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
                if (await throttle.TryAcquireAsync("shared", default) == 0) Interlocked.Increment(ref allowed);
        })));
        Assert.Equal(100, allowed);
    }

    [Fact]
    public async Task Two_instances_acquiring_at_once_share_one_limit()
    {
        // Each instance has its own connections to the one store; its requests interleave with the other's.
        using var other = (PostgresThrottleStore)stores.OtherPostgresInstance();
        var scope = "test-" + Guid.NewGuid().ToString("N");
        var instances = new[]
        {
            new SlidingWindowThrottle(stores[AppStoreProvider.Postgres], scope, 100, TimeSpan.FromHours(1), TimeProvider.System),
            new SlidingWindowThrottle(other, scope, 100, TimeSpan.FromHours(1), TimeProvider.System),
        };
        var allowed = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
                if (await instances[n % 2].TryAcquireAsync("shared", default) == 0) Interlocked.Increment(ref allowed);
        })));
        Assert.Equal(100, allowed);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Sweeping_drops_only_events_recorded_before_the_cutoff(string provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var throttle = Throttle(provider, 5, TimeSpan.FromMinutes(15), time);
        Assert.Equal(0, await throttle.TryAcquireAsync("idle", default));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await throttle.TryAcquireAsync("recent", default));
        var cutoff = time.GetUtcNow().UtcDateTime.AddMinutes(-5);
        Assert.True(await stores[provider].SweepAsync(cutoff, default) >= 1);
        // The recent key still holds its event: four more fit, not five.
        for (var i = 0; i < 4; i++) Assert.Equal(0, await throttle.TryAcquireAsync("recent", default));
        Assert.NotEqual(0, await throttle.TryAcquireAsync("recent", default));
    }
}
