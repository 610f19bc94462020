using System.Collections.Concurrent;
using Actions.Data.Store;

namespace Actions.Data.Platform;

/// <summary>
/// Values loaded from the store, kept while the store version they were loaded at is the newest this instance knows
/// (<see cref="CacheVersion"/>): a change anywhere — through this instance or another — empties it. A value loaded while
/// the version moved on is not kept, so nothing older than the newest known change is ever served. Checking the version
/// is a memory read; a hit allocates nothing.
/// </summary>
public class VersionedCache<TKey>(CacheVersion versions, int capacity) where TKey : notnull
{
    private sealed class Generation(long version)
    {
        public readonly long Version = version;
        public readonly ConcurrentDictionary<TKey, object> Entries = new();
    }

    private Generation _generation = new(versions.Current);

    /// <summary>The version a load starts at: what it loads is kept only if this is still the newest known after.</summary>
    public long Version => versions.Current;

    public bool TryGet(TKey key, out object value) => Current().Entries.TryGetValue(key, out value!);

    /// <summary>Keeps <paramref name="value"/>, loaded from the store when <see cref="Version"/> was <paramref name="loadedAt"/>.</summary>
    public void Keep(TKey key, object value, long loadedAt)
    {
        var generation = Current();
        if (generation.Version == loadedAt && generation.Entries.Count < capacity) generation.Entries[key] = value;
    }

    /// <summary>The cached value for <paramref name="key"/>, loading it (with <paramref name="state"/>) when absent.</summary>
    public ValueTask<T> GetOrLoadAsync<TState, T>(TKey key, TState state, Func<TState, Task<T>> load) where T : class =>
        TryGet(key, out var cached) ? new ValueTask<T>((T)cached) : new ValueTask<T>(LoadAsync(key, state, load));

    /// <summary>As <see cref="GetOrLoadAsync{TState,T}"/>, for a synchronous load.</summary>
    public T GetOrLoad<TState, T>(TKey key, TState state, Func<TState, T> load) where T : class
    {
        if (TryGet(key, out var cached)) return (T)cached;
        var loadedAt = Version;
        var value = load(state);
        Keep(key, value, loadedAt);
        return value;
    }

    private async Task<T> LoadAsync<TState, T>(TKey key, TState state, Func<TState, Task<T>> load) where T : class
    {
        var loadedAt = Version;
        var value = await load(state);
        Keep(key, value, loadedAt);
        return value;
    }

    /// <summary>The generation of the newest known version, started afresh (empty) when the version moved on.</summary>
    private Generation Current()
    {
        while (true)
        {
            var generation = Volatile.Read(ref _generation);
            var version = versions.Current;
            if (generation.Version >= version) return generation;
            Interlocked.CompareExchange(ref _generation, new Generation(version), generation);
        }
    }
}
