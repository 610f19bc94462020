using Actions.Data.Store;

namespace Actions.Data.Platform;

/// <summary>
/// Credential digest (session token or API key) → caller, so an authenticated request does not query the store. Kept until the
/// store version moves on (<see cref="VersionedCache{TKey}"/>): a changed user, membership, key or an ended session
/// bumps it. Only callers are kept, never "unknown". A session's entry is also left after <see cref="TouchInterval"/>
/// so that the session's last use is written down (its 14-day expiry slides), not because it could be stale.
/// </summary>
public sealed class CallerCache(CacheVersion versions, TimeProvider time)
{
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private sealed record Entry(Caller Caller, DateTime TouchAt);

    private readonly VersionedCache<string> _entries = new(versions, 10_000);

    /// <summary>The version a lookup in the store starts at (see <see cref="Set"/>).</summary>
    public long Version => _entries.Version;

    public bool TryGet(string key, out Caller caller)
    {
        if (_entries.TryGet(key, out var value) && value is Entry entry && time.GetUtcNow().UtcDateTime < entry.TouchAt)
        {
            caller = entry.Caller;
            return true;
        }
        caller = null!;
        return false;
    }

    /// <summary>Keeps a caller read from the store at <paramref name="loadedAt"/> (<see cref="Version"/> before the read).</summary>
    public void Set(string key, Caller caller, long loadedAt, DateTime? touchAt = null) =>
        _entries.Keep(key, new Entry(caller, touchAt ?? DateTime.MaxValue), loadedAt);
}
