using System.Collections.Concurrent;

namespace Actions.Data.Platform;

/// <summary>
/// In-memory copies of what changes rarely and is read on every run: action definitions with their models,
/// collection permissions and the actions-enabled flags. Every change made through the service layer calls
/// <see cref="Invalidate"/>; a value loaded while a change was being made is not kept (version check).
/// </summary>
public sealed class DefinitionCache
{
    private readonly ConcurrentDictionary<string, object> _entries = new();
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Invalidate()
    {
        Interlocked.Increment(ref _version);
        _entries.Clear();
    }

    /// <summary>The cached value for <paramref name="key"/>, loading it when absent.</summary>
    public async Task<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load) where T : class
    {
        if (_entries.TryGetValue(key, out var cached)) return (T)cached;
        var version = Version;
        var value = await load();
        if (Version == version && _entries.Count < 50_000) _entries.TryAdd(key, value);
        return value;
    }
}
