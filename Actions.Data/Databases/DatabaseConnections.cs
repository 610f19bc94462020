using System.Data.Common;
using System.Text.Json.Nodes;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Databases;

/// <summary>
/// Opens connections to connected databases. The connection string (with the decrypted password) is built once per
/// database and kept in memory until the store version moves on (<see cref="DefinitionCache"/>: a changed database
/// bumps it); the providers pool the connections.
/// </summary>
public sealed class DatabaseConnections(IDbContextFactory<AppDbContext> contexts, DatabaseEngines engines, IDataProtectionProvider protection,
    DefinitionCache cache)
{
    private readonly IDataProtector _passwords = protection.CreateProtector("Actions.DatabasePassword.v1");

    public string Protect(string password) => _passwords.Protect(password);

    public string? Unprotect(string? encrypted) => encrypted is null ? null : _passwords.Unprotect(encrypted);

    private sealed record Resolved(IDatabaseEngine Engine, string ConnectionString);

    public async Task<(IDatabaseEngine Engine, string ConnectionString)> ResolveAsync(int databaseId, CancellationToken ct)
    {
        var resolved = await cache.GetOrLoadAsync(new DefinitionCache.Key("connection", databaseId), (this, databaseId, ct),
            static s => s.Item1.LoadAsync(s.Item2, s.Item3));
        return (resolved.Engine, resolved.ConnectionString);
    }

    private async Task<Resolved> LoadAsync(int databaseId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == databaseId, ct) ?? throw ApiError.NotFound();
        var engine = engines.Get(row.Engine);
        var details = JsonNode.Parse(row.DetailsJson) as JsonObject ?? [];
        return new Resolved(engine, engine.ConnectionString(details, Unprotect(row.EncryptedPassword)));
    }

    /// <summary>
    /// The engine of a database (for its SQL dialect), without building its connection string; synchronous, as template
    /// parsing is. An unknown database is SQLite's (its runs fail later as not found).
    /// </summary>
    public IDatabaseEngine EngineOf(int databaseId)
    {
        var engineNames = cache.GetOrLoad(new DefinitionCache.Key("engines"), contexts, static contexts =>
        {
            using var db = contexts.CreateDbContext();
            return db.Databases.AsNoTracking().ToDictionary(d => d.Id, d => d.Engine);
        });
        return engineNames.TryGetValue(databaseId, out var name) && engines.TryGet(name, out var engine) ? engine : engines.Get("sqlite");
    }

    /// <summary>An open connection to the database; the caller disposes it (back to the pool).</summary>
    public async Task<(IDatabaseEngine Engine, DbConnection Connection)> OpenAsync(int databaseId, CancellationToken ct)
    {
        var (engine, connectionString) = await ResolveAsync(databaseId, ct);
        return (engine, await engine.OpenAsync(connectionString, ct));
    }
}
