using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Actions.Data.Store;

namespace Actions.Data.Security;

/// <summary>
/// Counts events per key in a sliding window and says how long to wait once the limit is reached. The events live in
/// a <see cref="ThrottleStore"/>: on PostgreSQL the store's table, so every instance counts the same ones and over any
/// window at most the limit succeed, however requests are spread over instances; on SQLite (one process) its memory.
/// Used for login failures and public-link limits.
/// </summary>
public sealed class SlidingWindowThrottle
{
    private readonly ThrottleStore _store;
    private readonly string _scope;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    /// <param name="scope">What is limited (<c>link</c>, <c>client</c>, …): keys of different limits never meet.</param>
    public SlidingWindowThrottle(ThrottleStore store, string scope, int limit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(window, ThrottleStore.LongestWindow);
        (_store, _scope, Limit, _window, _time) = (store, scope, limit, window, time);
    }

    public int Limit { get; }

    /// <summary>Records an event when under the limit. Returns 0 when allowed, else the seconds to wait (≥ 1).</summary>
    public async Task<int> TryAcquireAsync(string key, CancellationToken ct)
    {
        var now = Now();
        var blocker = await _store.TryAddAsync(StoreKey(key), Limit, now - _window, now, ct);
        // The blocking event must leave the window before one more fits.
        return blocker is { } at ? Math.Max(1, (int)Math.Ceiling((at + _window - now).TotalSeconds)) : 0;
    }

    /// <summary>Takes back the latest event of the key (an attempt that turned out not to count).</summary>
    public Task ReleaseAsync(string key, CancellationToken ct) => _store.RemoveNewestAsync(StoreKey(key), ct);

    public Task ResetAsync(string key, CancellationToken ct) => _store.RemoveAllAsync(StoreKey(key), ct);

    /// <summary>Now, to the microsecond: what PostgreSQL keeps, so that an event read back is the event recorded.</summary>
    private DateTime Now()
    {
        var ticks = _time.GetUtcNow().UtcTicks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }

    /// <summary>The longest key kept as given; longer ones (a sign-in's email is the client's text) are kept as a digest.</summary>
    private const int PlainKeyLength = 200;

    /// <summary>
    /// The key as stored: <c>scope:key</c>, or <c>scope#</c> and the SHA-256 of the key when it is long or holds what a
    /// PostgreSQL text cannot (U+0000, a lone surrogate). Two keys are one only when they are equal.
    /// </summary>
    internal string StoreKey(string key)
    {
        if (key.Length <= PlainKeyLength && !key.Contains('\0') && !HasSurrogate(key)) return $"{_scope}:{key}";
        return $"{_scope}#{Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(key.AsSpan())))}";
    }

    private static bool HasSurrogate(string key)
    {
        foreach (var c in key)
            if (char.IsSurrogate(c)) return true;
        return false;
    }
}
