using System.Net;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

public sealed class StartupTests
{
    private static Dictionary<string, string?> BootstrapAdmin() => new()
    {
        ["Actions:Admin:Email"] = "boot@example.com",
        ["Actions:Admin:Password"] = "B00tstrap-pw!",
    };

    [Fact]
    public async Task Bootstrap_admin_is_created_on_first_start_and_second_start_changes_nothing()
    {
        string dataDir;
        using (var first = new AppFactory(BootstrapAdmin()))
        {
            dataDir = first.DataDir;
            var token = (await first.Api().Post("/api/session", new { username = "boot@example.com", password = "B00tstrap-pw!" }))
                .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
            var me = (await first.Api(token).Get("/api/user/current")).Json;
            Assert.True(me["is_superuser"]!.GetValue<bool>());
            (await first.Api().Post("/api/setup", new { user = new { email = "x@example.com", password = "Passw0rd!!", first_name = "x", last_name = "y" } }))
                .Expect(HttpStatusCode.Forbidden);
            // A SQLite store is a file in the data folder; a PostgreSQL store is its own database.
            Assert.Equal(!AppFactory.PostgresStore, File.Exists(Path.Combine(dataDir, "actions.db")));
        }

        // Same DataDir, different bootstrap credentials: nothing is added or changed.
        using var second = new AppFactory(new Dictionary<string, string?>
        {
            ["Actions:Admin:Email"] = "other@example.com",
            ["Actions:Admin:Password"] = "0ther-passw0rd!",
        }, dataDir);
        (await second.Api().Post("/api/session", new { username = "boot@example.com", password = "B00tstrap-pw!" })).Expect(HttpStatusCode.OK);
        (await second.Api().Post("/api/session", new { username = "other@example.com", password = "0ther-passw0rd!" })).Expect(HttpStatusCode.Unauthorized);
        using var scope = second.Services.CreateScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Users.CountAsync());
        Assert.Equal(2, await db.PermissionGroups.CountAsync());
        Assert.Equal(2, await db.GroupMemberships.CountAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Actions_section_keys_are_bound_with_defaults_for_the_rest()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:PublicSharing:PerLinkPerSecond"] = "3" });
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Actions.Data.Hosting.ActionsOptions>>().Value;
        Assert.Equal(3, options.PublicSharing.PerLinkPerSecond);
        Assert.Equal(120, options.PublicSharing.PerClientPerMinute);
        (await app.Api().Get("/api/health")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public void Invalid_configuration_stops_the_app_at_start()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:PublicSharing:PerLinkPerSecond"] = "0" });
        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("PerLinkPerSecond", error.ToString());
        using var negativeRetention = new AppFactory(new Dictionary<string, string?> { ["Actions:ExecutionLog:RetentionDays"] = "-1" });
        Assert.Contains("Actions:ExecutionLog:RetentionDays", Assert.ThrowsAny<Exception>(() => negativeRetention.Services).ToString());
    }

    [Theory]
    [InlineData("Mongo")]
    [InlineData("postgresql")]
    public void An_unknown_app_store_provider_stops_the_app_at_start(string provider)
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:AppDbProvider"] = provider });
        Assert.Contains("Actions:AppDbProvider", Assert.ThrowsAny<Exception>(() => app.Services).ToString());
    }

    [Fact]
    public void A_postgres_store_without_a_connection_string_stops_the_app_at_start()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Actions:AppDbProvider"] = "postgres", ["ConnectionStrings:AppDb"] = "" });
        Assert.Contains("ConnectionStrings:AppDb", Assert.ThrowsAny<Exception>(() => app.Services).ToString());
    }

    [Fact]
    public async Task A_postgres_store_is_created_on_an_empty_database_and_keeps_actions_and_their_log_across_a_restart()
    {
        var database = await TargetDatabases.PostgresAsync("SELECT 1");
        var admin = TargetDatabases.PostgresAdmin();
        admin.Database = database;
        var settings = new Dictionary<string, string?>
        {
            ["Actions:AppDbProvider"] = "POSTGRES",
            ["ConnectionStrings:AppDb"] = admin.ConnectionString,
        };
        int id;
        string session;
        using (var first = new AppFactory(settings))
        {
            var s = await ActionSetup.CreateAsync(first);
            session = s.Admin.Session!;
            id = await s.CreateAsync(s.FixtureAction());
            (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
            await using var db = await first.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            Assert.IsType<PostgresAppDbContext>(db);
            Assert.Equal("Npgsql.EntityFrameworkCore.PostgreSQL", db.Database.ProviderName);
            Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        }

        // Another data folder: everything comes back from the PostgreSQL database.
        using var again = new AppFactory(settings);
        var api = again.Api(session);
        Assert.Equal("Rename category", (await api.Get($"/api/action/{id}")).Expect(HttpStatusCode.OK).Json["name"]!.GetValue<string>());
        var log = (await api.Get($"/api/action/{id}/execution")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(1, log["total"]!.GetValue<int>());
        Assert.Equal("success", log["data"]![0]!["status"]!.GetValue<string>());
        await using var store = await again.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        Assert.Empty(await store.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Instances_starting_together_on_an_empty_postgres_store_migrate_and_seed_once()
    {
        var database = await TargetDatabases.PostgresAsync("SELECT 1");
        var admin = TargetDatabases.PostgresAdmin();
        admin.Database = database;
        var settings = new Dictionary<string, string?>
        {
            ["Actions:AppDbProvider"] = "Postgres",
            ["ConnectionStrings:AppDb"] = admin.ConnectionString,
            ["Actions:Admin:Email"] = "boot@example.com",
            ["Actions:Admin:Password"] = Seeded.AdminPassword,
            ["Actions:SampleData"] = "true",
        };
        var instances = Enumerable.Range(0, 3).Select(_ => new AppFactory(settings)).ToList();
        try
        {
            // Each start runs its migrations, bootstrap admin and sample data before the host answers.
            await Task.WhenAll(instances.Select(i => Task.Run(() => i.Services)));
            foreach (var instance in instances)
                (await instance.Api().Get("/api/health")).Expect(HttpStatusCode.OK);
            var token = (await instances[0].Api().Post("/api/session", new { username = "boot@example.com", password = Seeded.AdminPassword }))
                .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
            var users = (await instances[1].Api(token).Get("/api/user")).Expect(HttpStatusCode.OK).Json;
            Assert.Equal(1, users["total"]!.GetValue<int>());
            var databases = (await instances[2].Api(token).Get("/api/database")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray();
            Assert.Single(databases, d => d!["is_sample"]!.GetValue<bool>());
            Assert.Equal(3, (await instances[2].Api(token).Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray().Count);
        }
        finally
        {
            foreach (var instance in instances) instance.Dispose();
        }
    }

    [Fact]
    public async Task Health_is_503_while_the_postgres_store_is_unreachable_and_200_again_after()
    {
        var database = await TargetDatabases.PostgresAsync("SELECT 1");
        var store = TargetDatabases.PostgresAdmin();
        store.Database = database;
        using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["Actions:AppDbProvider"] = "Postgres",
            ["ConnectionStrings:AppDb"] = store.ConnectionString,
        });
        var api = app.Api();
        (await api.Get("/api/health")).Expect(HttpStatusCode.OK);

        // Health is polled as a load balancer would; no bound on how soon is asserted (the machine may be busy).
        async Task<ApiClient.Response> HealthBecomes(HttpStatusCode wanted)
        {
            ApiClient.Response response;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do response = await api.Get("/api/health");
            while (response.Status != wanted && DateTime.UtcNow < deadline);
            return response;
        }

        await TargetDatabases.ExecPostgresAsync("postgres",
            $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        var down = await HealthBecomes(HttpStatusCode.ServiceUnavailable);
        down.Expect(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", down.Json["status"]!.GetValue<string>());

        await TargetDatabases.ExecPostgresAsync("postgres", $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        var up = await HealthBecomes(HttpStatusCode.OK);
        up.Expect(HttpStatusCode.OK);
        Assert.Equal("ok", up.Json["status"]!.GetValue<string>());
    }
}
