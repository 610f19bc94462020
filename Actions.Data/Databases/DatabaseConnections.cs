using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json.Nodes;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Actions.Data.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Databases;

/// <summary>
/// Opens connections to connected databases. The connection string (with the decrypted password) is built
/// once per database and kept in memory until the database changes; the providers pool the connections.
/// </summary>
public sealed class DatabaseConnections(IDbContextFactory<AppDbContext> contexts, DatabaseEngines engines, IDataProtectionProvider protection)
{
    private readonly IDataProtector _passwords = protection.CreateProtector("Actions.DatabasePassword.v1");
    private readonly ConcurrentDictionary<int, (IDatabaseEngine Engine, string ConnectionString)> _cache = new();

    public string Protect(string password) => _passwords.Protect(password);

    public string? Unprotect(string? encrypted) => encrypted is null ? null : _passwords.Unprotect(encrypted);

    public async Task<(IDatabaseEngine Engine, string ConnectionString)> ResolveAsync(int databaseId, CancellationToken ct)
    {
        if (_cache.TryGetValue(databaseId, out var cached)) return cached;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == databaseId, ct) ?? throw ApiError.NotFound();
        var engine = engines.Get(row.Engine);
        var details = JsonNode.Parse(row.DetailsJson) as JsonObject ?? [];
        var resolved = (engine, engine.ConnectionString(details, Unprotect(row.EncryptedPassword)));
        _cache[databaseId] = resolved;
        return resolved;
    }

    /// <summary>
    /// The engine of a database (for its SQL dialect), without building its connection string; synchronous, as template
    /// parsing is, and remembered until <see cref="Forget"/>. An unknown database is SQLite's (its runs fail later as not found).
    /// </summary>
    public IDatabaseEngine EngineOf(int databaseId)
    {
        if (_cache.TryGetValue(databaseId, out var cached)) return cached.Engine;
        return _engines.GetOrAdd(databaseId, id =>
        {
            using var db = contexts.CreateDbContext();
            var name = db.Databases.AsNoTracking().Where(d => d.Id == id).Select(d => d.Engine).FirstOrDefault();
            return name is not null && engines.TryGet(name, out var engine) ? engine : engines.Get("sqlite");
        });
    }

    private readonly ConcurrentDictionary<int, IDatabaseEngine> _engines = new();

    /// <summary>An open connection to the database; the caller disposes it (back to the pool).</summary>
    public async Task<(IDatabaseEngine Engine, DbConnection Connection)> OpenAsync(int databaseId, CancellationToken ct)
    {
        var (engine, connectionString) = await ResolveAsync(databaseId, ct);
        return (engine, await engine.OpenAsync(connectionString, ct));
    }

    public void Forget(int databaseId)
    {
        _cache.TryRemove(databaseId, out _);
        _engines.TryRemove(databaseId, out _);
    }
}
