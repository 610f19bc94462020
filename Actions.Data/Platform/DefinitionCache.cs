using System.Collections.Concurrent;

namespace Actions.Data.Platform;

/// <summary>
/// In-memory copies of what changes rarely and is read on every run: action definitions with their models,
/// collection permissions and the actions-enabled flags. Every change made through the service layer calls
/// <see cref="Invalidate"/>; a value loaded while a change was being made is not kept (version check).
/// A hit allocates nothing: keys are structs and loaders take their state instead of capturing it.
/// </summary>
public sealed class DefinitionCache
{
    /// <summary>What is cached: a kind (<c>"action"</c>, <c>"plan"</c>…) and up to two numbers naming one of them.</summary>
    public readonly record struct Key(string Kind, long A = 0, long B = 0)
    {
        public static Key Of(string kind, Guid id)
        {
            Span<byte> bytes = stackalloc byte[16];
            id.TryWriteBytes(bytes);
            return new Key(kind, BitConverter.ToInt64(bytes[..8]), BitConverter.ToInt64(bytes[8..]));
        }
    }

    private readonly ConcurrentDictionary<Key, object> _entries = new();
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Invalidate()
    {
        Interlocked.Increment(ref _version);
        _entries.Clear();
    }

    /// <summary>The cached value for <paramref name="key"/>, loading it (with <paramref name="state"/>) when absent.</summary>
    public ValueTask<T> GetOrLoadAsync<TState, T>(Key key, TState state, Func<TState, Task<T>> load) where T : class =>
        _entries.TryGetValue(key, out var cached) ? new ValueTask<T>((T)cached) : new ValueTask<T>(LoadAsync(key, state, load));

    private async Task<T> LoadAsync<TState, T>(Key key, TState state, Func<TState, Task<T>> load) where T : class
    {
        var version = Version;
        var value = await load(state);
        if (Version == version && _entries.Count < 50_000) _entries.TryAdd(key, value);
        return value;
    }
}
