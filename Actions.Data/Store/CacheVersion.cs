namespace Actions.Data.Store;

/// <summary>
/// The newest store version this instance knows (the <c>StoreVersions</c> row that every change of a definition bumps
/// in its own transaction). Every in-memory cache of store data is keyed by it: a value is served only while the version
/// it was loaded at is still the newest known. This instance learns of its own changes as they commit
/// (<see cref="StoreVersionBump"/>), of other instances' by <see cref="StoreVersionListener"/> (PostgreSQL store).
/// Reading it is a memory read, never a store round trip.
/// </summary>
public sealed class CacheVersion
{
    private long _known;

    public long Current => Volatile.Read(ref _known);

    /// <summary>Takes a version read from the store or a notification; only ever moves forward.</summary>
    public void Observe(long version)
    {
        var known = Volatile.Read(ref _known);
        while (version > known)
        {
            var seen = Interlocked.CompareExchange(ref _known, version, known);
            if (seen == known) return;
            known = seen;
        }
    }
}
