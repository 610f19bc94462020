using Actions.Data.Store;

namespace Actions.Data.Platform;

/// <summary>
/// In-memory copies of what changes rarely and is read on every run: action definitions with their models,
/// collection permissions, the actions-enabled flags, settings and connection strings. Kept until the store version
/// moves on (<see cref="VersionedCache{TKey}"/>): every change of a definition bumps it in its own transaction.
/// Keys are structs and loaders take their state instead of capturing it, so a hit allocates nothing.
/// </summary>
public sealed class DefinitionCache(CacheVersion versions) : VersionedCache<DefinitionCache.Key>(versions, 50_000)
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
}
