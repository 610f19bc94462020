using Actions.Data.Security;
using Microsoft.Extensions.Time.Testing;

namespace Actions.Tests.Unit;

public sealed class SlidingWindowThrottleTests
{
    [Fact]
    public void Allows_up_to_the_limit_then_says_how_long_to_wait()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var throttle = new SlidingWindowThrottle(3, TimeSpan.FromMinutes(1), time);
        Assert.Equal(0, throttle.TryAcquire("a"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, throttle.TryAcquire("a"));
        Assert.Equal(0, throttle.TryAcquire("a"));
        // The first event leaves the window 50 s from now.
        Assert.Equal(50, throttle.TryAcquire("a"));
        Assert.Equal(0, throttle.TryAcquire("b"));
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, throttle.TryAcquire("a"));
        Assert.Equal(10, throttle.TryAcquire("a"));
    }

    [Fact]
    public void Wait_is_at_least_one_second_and_reset_clears_a_key()
    {
        var time = new FakeTimeProvider();
        var throttle = new SlidingWindowThrottle(1, TimeSpan.FromSeconds(1), time);
        Assert.Equal(0, throttle.TryAcquire("k"));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, throttle.TryAcquire("k"));
        throttle.Reset("k");
        Assert.Equal(0, throttle.TryAcquire("k"));
    }

    [Fact]
    public void A_released_event_no_longer_counts()
    {
        var time = new FakeTimeProvider();
        var throttle = new SlidingWindowThrottle(2, TimeSpan.FromMinutes(15), time);
        Assert.Equal(0, throttle.TryAcquire("e"));
        Assert.Equal(0, throttle.TryAcquire("e"));
        Assert.Equal(900, throttle.RetryAfter("e"));
        throttle.Release("e");
        Assert.Equal(0, throttle.RetryAfter("e"));
        Assert.Equal(0, throttle.TryAcquire("e"));
        Assert.Equal(900, throttle.TryAcquire("e"));
    }

    [Fact]
    public async Task Concurrent_acquires_never_exceed_the_limit()
    {
        var throttle = new SlidingWindowThrottle(100, TimeSpan.FromHours(1), TimeProvider.System);
        var allowed = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
                if (throttle.TryAcquire("shared") == 0) Interlocked.Increment(ref allowed);
        })));
        Assert.Equal(100, allowed);
    }
}
