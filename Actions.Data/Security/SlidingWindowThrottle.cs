using System.Collections.Concurrent;

namespace Actions.Data.Security;

/// <summary>
/// Counts events per key in a sliding window and says how long to wait once the limit is reached.
/// Used for login failures and public-link limits; thread-safe, in memory (one instance per app).
/// </summary>
public sealed class SlidingWindowThrottle(int limit, TimeSpan window, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _events = new();
    private int _sweepCounter;

    public int Limit { get; } = limit;

    /// <summary>Records an event when under the limit. Returns 0 when allowed, else the seconds to wait (≥ 1).</summary>
    public int TryAcquire(string key)
    {
        var now = time.GetUtcNow();
        var queue = _events.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
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
                queue.Enqueue(now);
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

    /// <summary>Records an event regardless of the limit (e.g. a failed login).</summary>
    public void Record(string key)
    {
        var now = time.GetUtcNow();
        var queue = _events.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Trim(queue, now);
            queue.Enqueue(now);
        }
        MaybeSweep(now);
    }

    public void Reset(string key) => _events.TryRemove(key, out _);

    private void Trim(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && now - queue.Peek() >= window) queue.Dequeue();
    }

    private int SecondsUntilFree(Queue<DateTimeOffset> queue, DateTimeOffset now)
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
