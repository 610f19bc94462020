using System.Collections.Concurrent;

namespace Actions.Data.Store;

/// <summary>
/// Throttle events of a SQLite store, which serves one process: kept in that process's memory, where counting is
/// exact and costs no store write. Written to the store's file instead, every public request took SQLite's one write
/// lock twice, in turns with the execution log writer: public execute fell to a fifth of its rate (measured), and the
/// log writer, finding the file locked, lost entries. A restart clears the counts, as it always did.
/// </summary>
internal sealed class MemoryThrottleStore : ThrottleStore
{
    private readonly ConcurrentDictionary<string, List<DateTime>> _events = new(StringComparer.Ordinal);

    public override Task<DateTime?> TryAddAsync(string key, int limit, DateTime since, DateTime now, CancellationToken ct)
    {
        var events = _events.GetOrAdd(key, _ => []);
        lock (events)
        {
            events.RemoveAll(at => at <= since);
            if (events.Count >= limit) return Task.FromResult<DateTime?>(events[^limit]);
            events.Add(now);
            return Task.FromResult<DateTime?>(null);
        }
    }

    public override Task RemoveNewestAsync(string key, CancellationToken ct)
    {
        if (_events.TryGetValue(key, out var events))
            lock (events)
                if (events.Count > 0) events.RemoveAt(events.Count - 1);
        return Task.CompletedTask;
    }

    public override Task RemoveAllAsync(string key, CancellationToken ct)
    {
        _events.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public override Task<int> SweepAsync(DateTime before, CancellationToken ct)
    {
        var removed = 0;
        foreach (var (key, events) in _events)
        {
            lock (events)
            {
                removed += events.RemoveAll(at => at < before);
                // An acquire that looked the list up just before may still add to it after it left the dictionary:
                // one event of a key idle for an hour not counted.
                if (events.Count == 0) _events.TryRemove(new KeyValuePair<string, List<DateTime>>(key, events));
            }
        }
        return Task.FromResult(removed);
    }
}
