using System.Collections.Concurrent;

namespace Actions.Data.Platform;

/// <summary>
/// Short-lived cache of credential digest → caller, so an authenticated request does not query the store.
/// Any change to users, memberships, keys or sessions clears it; entries also expire after 30 seconds.
/// </summary>
public sealed class CallerCache(TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)> _entries = new();

    public bool TryGet(string digest, out Caller caller)
    {
        if (_entries.TryGetValue(digest, out var entry) && entry.Expires > time.GetUtcNow())
        {
            caller = entry.Caller;
            return true;
        }
        caller = null!;
        return false;
    }

    public void Set(string digest, Caller caller)
    {
        if (_entries.Count > 10_000) _entries.Clear();
        _entries[digest] = (caller, time.GetUtcNow() + Lifetime);
    }

    public void Remove(string digest) => _entries.TryRemove(digest, out _);

    public void Invalidate() => _entries.Clear();
}
