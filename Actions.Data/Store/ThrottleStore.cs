namespace Actions.Data.Store;

/// <summary>
/// The counted events of every limit (public links, public clients, sign-ins). On PostgreSQL they are kept in the
/// store's <c>ThrottleEvents</c> so that every instance on the store counts the same events, each change to a key's
/// events one short transaction that no other change to that key, from any instance, interleaves with
/// (<see cref="PostgresThrottleStore"/>); a SQLite store serves one process, which counts in memory
/// (<see cref="MemoryThrottleStore"/>).
/// </summary>
public abstract class ThrottleStore
{
    /// <summary>How long an event is kept at most (older ones are swept): no limit's window may be longer.</summary>
    public static readonly TimeSpan LongestWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// Drops the key's events at or before <paramref name="since"/>; then, while fewer than <paramref name="limit"/>
    /// remain, records one at <paramref name="now"/> and returns null; else records nothing and returns the time of the
    /// event that must leave the window before one more fits (the limit-th newest).
    /// </summary>
    public abstract Task<DateTime?> TryAddAsync(string key, int limit, DateTime since, DateTime now, CancellationToken ct);

    /// <summary>Takes back the key's newest event.</summary>
    public abstract Task RemoveNewestAsync(string key, CancellationToken ct);

    /// <summary>Drops every event of the key.</summary>
    public abstract Task RemoveAllAsync(string key, CancellationToken ct);

    /// <summary>Drops the events of every key recorded before <paramref name="before"/>; returns how many.</summary>
    public abstract Task<int> SweepAsync(DateTime before, CancellationToken ct);
}
