using Actions.Data.Errors;

namespace Actions.Data.Databases.Engines;

/// <summary>The registered engines, by their REST name.</summary>
public sealed class DatabaseEngines(IEnumerable<IDatabaseEngine> engines)
{
    private readonly Dictionary<string, IDatabaseEngine> _byName = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public bool TryGet(string name, out IDatabaseEngine engine) => _byName.TryGetValue(name, out engine!);

    public IDatabaseEngine Get(string name) =>
        _byName.TryGetValue(name, out var engine) ? engine : throw ApiError.BadRequest($"Unsupported engine: {name}");
}
