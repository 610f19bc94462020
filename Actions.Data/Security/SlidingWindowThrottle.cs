using System.Collections.Concurrent;

namespace Actions.Data.Security;

/// <summary>
/// Counts events per key in a sliding window and says how long to wait once the limit is reached.
/// Used for login failures and public-link limits; thread-safe, in memory (one instance per app).
/// </summary>
public sealed class SlidingWindowThrottle(int limit, TimeSpan window, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LinkedList<DateTimeOffset>> _events = new();
    private int _sweepCounter;

    public int Limit { get; } = limit;

    /// <summary>Records an event when under the limit. Returns 0 when allowed, else the seconds to wait (≥ 1).</summary>
    public int TryAcquire(string key)
    {
        var now = time.GetUtcNow();
        var queue = _events.GetOrAdd(key, _ => new LinkedList<DateTimeOffset>());
        int wait;
        lock (queue)
        {
            Trim(queue, now);
            if (queue.Count >= Limit)
            {
                wait = SecondsUntilFree(queue, now);
            }
            else
            {
                queue.AddLast(now);
                wait = 0;
            }
        }
        MaybeSweep(now);
        return wait;
    }

    /// <summary>Seconds to wait before one more event is allowed, without recording one.</summary>
    public int RetryAfter(string key)
    {
        if (!_events.TryGetValue(key, out var queue)) return 0;
        var now = time.GetUtcNow();
        lock (queue)
        {
            Trim(queue, now);
            return queue.Count >= Limit ? SecondsUntilFree(queue, now) : 0;
        }
    }

    /// <summary>Takes back the latest event of <see cref="TryAcquire"/> (an attempt that turned out not to count).</summary>
    public void Release(string key)
    {
        if (!_events.TryGetValue(key, out var queue)) return;
        lock (queue)
        {
            if (queue.Count > 0) queue.RemoveLast();
        }
    }

    public void Reset(string key) => _events.TryRemove(key, out _);

    private void Trim(LinkedList<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && now - queue.First!.Value >= window) queue.RemoveFirst();
    }

    private int SecondsUntilFree(LinkedList<DateTimeOffset> queue, DateTimeOffset now)
    {
        // The oldest events must leave the window until one slot is free.
        var oldestToLeave = queue.ElementAt(queue.Count - Limit);
        var seconds = (int)Math.Ceiling((oldestToLeave + window - now).TotalSeconds);
        return Math.Max(1, seconds);
    }

    private void MaybeSweep(DateTimeOffset now)
    {
        // Drop idle keys now and then so the dictionary does not grow with every client ever seen.
        if (Interlocked.Increment(ref _sweepCounter) % 1024 != 0) return;
        foreach (var (key, queue) in _events)
        {
            lock (queue)
            {
                Trim(queue, now);
                if (queue.Count == 0) _events.TryRemove(key, out _);
            }
        }
    }
}
