using Actions.Data.Databases;
using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actions.Data.Hosting;

/// <summary>
/// First start, in the spec's order: data folder, migrations (which seed the two groups and the root
/// permission), bootstrap admin. Every step is idempotent, so a second start changes nothing. On a PostgreSQL store,
/// instances that start together take turns (a session advisory lock), so migrations, the bootstrap admin and the
/// sample data are made once.
/// </summary>
public sealed class StoreInitializer(IDbContextFactory<AppDbContext> contexts, IOptions<ActionsOptions> options,
    UserService users, SampleDatabase sample, StoreLocks locks, ExecutionLogWriter log, ILogger<StoreInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken ct)
    {
        var o = options.Value;
        Directory.CreateDirectory(o.DataDirFullPath);
        await using var startLock = await locks.WaitAsync(StoreLocks.StartUp, ct);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var sqlite = db.Database.GetDbConnection() as SqliteConnection;
            if (sqlite is not null && new SqliteConnectionStringBuilder(sqlite.ConnectionString).DataSource is { Length: > 0 } file)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            }
            // PostgreSQL's provider learns that the history table is missing by a failed query, which it logs as an
            // error on every first start; made beforehand (IF NOT EXISTS), it is simply there.
            if (sqlite is null) await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
            await db.Database.MigrateAsync(ct);
            // WAL lets the browser app and the API read while a write is in progress (a SQLite store only).
            if (sqlite is not null) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        await log.StartAsync(ct);
        await BootstrapAdminAsync(o.Admin, ct);
        if (o.SampleData) await sample.EnsureCreatedAsync(ct);
    }

    private async Task BootstrapAdminAsync(ActionsOptions.AdminOptions admin, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password)) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(ct)) return;
        await users.CreateAsync(new UserService.NewUser(admin.Email, "Admin", "", admin.Password), superuser: true, ct);
        logger.LogInformation("Created the bootstrap superuser from configuration");
    }
}

/// <summary>Answers whether the app store responds.</summary>
public sealed class StoreHealth(IDbContextFactory<AppDbContext> contexts)
{
    /// <summary>A store that has not answered by then counts as unreachable (the load balancer must hear within 5 s).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(timeout.Token);
            return await db.Database.CanConnectAsync(timeout.Token) && await db.PermissionGroups.AnyAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
