using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Tests.Store;

/// <summary>
/// The store version on the SQLite store (one process): which saves bump it, that the bump is this instance's the moment
/// its transaction commits (never before, never for a rollback), and that caches keyed by it keep nothing loaded while
/// it moved on.
/// </summary>
public sealed class StoreVersionTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "actions-tests", $"version-{Guid.NewGuid():N}.db");
    private readonly CacheVersion _versions = new();
    private DbContextOptions<AppDbContext> _options = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _options = new DbContextOptionsBuilder<AppDbContext>()
            .UseSqlite($"Data Source={_path};Pooling=False").AddInterceptors(new StoreVersionBump(_versions)).Options;
        await using var db = new AppDbContext(_options);
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        File.Delete(_path);
        return Task.CompletedTask;
    }

    private async Task<long> StoredAsync()
    {
        await using var db = new AppDbContext(_options);
        return await db.StoreVersions.Where(v => v.Id == StoreVersion.SingletonId).Select(v => v.Version).SingleAsync();
    }

    [Fact]
    public async Task A_change_of_a_definition_bumps_the_version_and_this_instance_knows_it_after_the_save()
    {
        var before = await StoredAsync();
        await using var db = new AppDbContext(_options);
        db.Settings.Add(new AppSetting { Key = "site-name", Value = "\"Ops\"" });
        await db.SaveChangesAsync();
        Assert.Equal(before + 1, await StoredAsync());
        Assert.Equal(before + 1, _versions.Current);
    }

    [Fact]
    public async Task Records_of_activity_do_not_bump_the_version()
    {
        await using var db = new AppDbContext(_options);
        var user = new AppUser { Email = "a@example.com", UserName = "a@example.com", FirstName = "A" };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var before = await StoredAsync();

        var session = new UserSession { TokenHash = "digest", UserId = user.Id, CreatedAt = DateTime.UtcNow, LastUsedAt = DateTime.UtcNow };
        db.Sessions.Add(session);
        db.ExecutionLog.Add(new ExecutionLogEntry { ActionId = 1, ActionName = "a", ActionType = "query", Source = "api", Status = "success", HttpStatus = 200 });
        db.ThrottleEvents.Add(new ThrottleEvent { Key = "link:x", At = DateTime.UtcNow });
        await db.SaveChangesAsync();
        session.LastUsedAt = DateTime.UtcNow.AddMinutes(2);
        user.LastLogin = DateTime.UtcNow;
        await db.SaveChangesAsync();
        Assert.Equal(before, await StoredAsync());

        db.Sessions.Remove(session);
        await db.SaveChangesAsync();
        Assert.Equal(before + 1, await StoredAsync());
    }

    [Fact]
    public async Task A_bump_takes_effect_here_when_its_transaction_commits_and_never_when_it_rolls_back()
    {
        await using var db = new AppDbContext(_options);
        var known = _versions.Current;
        await using (var rolledBack = await db.Database.BeginTransactionAsync())
        {
            db.Settings.Add(new AppSetting { Key = "site-url", Value = "\"https://a.example\"" });
            await db.SaveChangesAsync();
            await rolledBack.RollbackAsync();
        }
        Assert.Equal(known, _versions.Current);
        db.ChangeTracker.Clear();

        var before = await StoredAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Settings.Where(s => s.Key == "none").ExecuteDeleteAsync();
        await db.BumpVersionAsync(CancellationToken.None);
        Assert.Equal(known, _versions.Current);
        await transaction.CommitAsync();
        Assert.Equal(before + 1, _versions.Current);
    }

    [Fact]
    public async Task A_cached_value_lasts_until_the_version_moves_and_one_loaded_meanwhile_is_not_kept()
    {
        var cache = new VersionedCache<string>(_versions, 100);
        var loads = 0;
        Task<string> Load(string value, bool changeMeanwhile)
        {
            loads++;
            if (changeMeanwhile) _versions.Observe(_versions.Current + 1);
            return Task.FromResult(value);
        }

        Assert.Equal("old", await cache.GetOrLoadAsync("k", "old", v => Load(v, changeMeanwhile: true)));
        Assert.Equal("new", await cache.GetOrLoadAsync("k", "new", v => Load(v, changeMeanwhile: false)));
        Assert.Equal("new", await cache.GetOrLoadAsync("k", "other", v => Load(v, changeMeanwhile: false)));
        Assert.Equal(2, loads);
        _versions.Observe(_versions.Current + 1);
        Assert.Equal("newer", await cache.GetOrLoadAsync("k", "newer", v => Load(v, changeMeanwhile: false)));
        Assert.Equal(3, loads);
    }

    [Fact]
    public void The_known_version_never_moves_back()
    {
        _versions.Observe(7);
        _versions.Observe(5);
        Assert.Equal(7, _versions.Current);
    }
}
