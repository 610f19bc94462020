using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Execution;
using Actions.Data.Execution.Http;
using Actions.Data.Execution.Implicit;
using Actions.Data.Execution.Log;
using Actions.Data.Execution.Query;
using Actions.Data.Databases.Engines;
using Actions.Data.Databases.MySql;
using Actions.Data.Databases.Postgres;
using Actions.Data.Databases.Sqlite;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Data.Secrets;
using Actions.Data.Security;
using Actions.Data.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actions.Data.Hosting;

public static class DataServiceCollectionExtensions
{
    /// <summary>The app store, Data Protection keys in it, and every service of the service layer.</summary>
    public static IHostApplicationBuilder AddActionsData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("AppDb");
        var provider = builder.Configuration[$"{ActionsOptions.Section}:{nameof(ActionsOptions.AppDbProvider)}"];
        var postgres = AppStoreProvider.IsPostgres(provider);
        services.AddOptions<ActionsOptions>().Bind(builder.Configuration.GetSection(ActionsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => AppStoreProvider.IsKnown(o.AppDbProvider),
                $"Actions:AppDbProvider must be {AppStoreProvider.Sqlite} or {AppStoreProvider.Postgres}.")
            .Validate(_ => !postgres || !string.IsNullOrWhiteSpace(connectionString),
                "ConnectionStrings:AppDb is required when Actions:AppDbProvider is Postgres (an Npgsql connection string).")
            .ValidateOnStart();

        if (postgres)
        {
            AddAppStore<PostgresAppDbContext>(services, (sp, o) =>
                PostgresAppDbContext.Configure(o.AddInterceptors(sp.GetRequiredService<StoreVersionBump>()), connectionString ?? ""));
            services.AddHostedService(sp => new StoreVersionListener(connectionString ?? "", sp.GetRequiredService<CacheVersion>(),
                sp.GetRequiredService<ILogger<StoreVersionListener>>()));
            services.AddSingleton(new StoreLocks(connectionString ?? ""));
            services.AddSingleton<ThrottleStore>(_ => new PostgresThrottleStore(connectionString ?? ""));
        }
        else
        {
            var options = builder.Configuration.GetSection(ActionsOptions.Section).Get<ActionsOptions>() ?? new ActionsOptions();
            if (string.IsNullOrWhiteSpace(connectionString))
                connectionString = $"Data Source={Path.Combine(options.DataDirFullPath, "actions.db")}";
            services.AddDbContextFactory<AppDbContext>((sp, o) =>
                o.UseSqlite(connectionString, s => s.CommandTimeout(30)).AddInterceptors(sp.GetRequiredService<StoreVersionBump>()));
            services.AddSingleton(new StoreLocks(null));
            services.AddSingleton<ThrottleStore, MemoryThrottleStore>();
        }
        services.AddDataProtection().SetApplicationName("Actions").PersistKeysToDbContext<AppDbContext>();

        services.AddSingleton<CacheVersion>();
        services.AddSingleton<StoreVersionBump>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IPasswordHasher<AppUser>, PasswordHasher<AppUser>>();
        services.AddSingleton<CallerCache>();
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SettingService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<LoginHistoryService>();
        services.AddSingleton<GroupService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<CollectionService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<IDatabaseEngine, SqliteEngine>();
        services.AddSingleton<IDatabaseEngine, PostgresEngine>();
        services.AddSingleton<IDatabaseEngine, MySqlEngine>();
        services.AddSingleton<DatabaseEngines>();
        services.AddSingleton<DatabaseConnections>();
        services.AddSingleton<DatabaseService>();
        services.AddSingleton<CardService>();
        services.AddSingleton<Reading.DatasetService>();
        services.AddSingleton<Reading.ModelBrowserService>();
        services.AddSingleton<SampleDatabase>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<IModelLifecycle>(sp => sp.GetRequiredService<ActionService>());
        services.AddSingleton<QueryActionRunner>();
        services.AddSingleton<IActionRunner>(sp => sp.GetRequiredService<QueryActionRunner>());
        services.AddSingleton<ImplicitRowService>();
        services.AddSingleton<IActionRunner>(sp => sp.GetRequiredService<ImplicitRowService>());
        services.AddSingleton<SecretService>();
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        // No request logging by the factory: its handlers would write every outbound URL (which can carry parameter
        // values) to the logs, and cost a tenth of a run; every run is in the execution log.
        services.AddHttpClient(HttpActionRunner.ClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => GuardedHandler.Create(
                sp.GetRequiredService<IOptions<ActionsOptions>>().Value.HttpActions.AllowPrivateNetworks, sp.GetRequiredService<IHostResolver>()));
        services.AddSingleton<HttpActionRunner>();
        services.AddSingleton<IActionRunner>(sp => sp.GetRequiredService<HttpActionRunner>());
        services.AddSingleton<PublicLinkThrottle>();
        services.AddSingleton<ExecutionLogWriter>();
        services.AddSingleton<ExecutionLogRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionLogRetention>());
        services.AddSingleton<ThrottleSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<ThrottleSweep>());
        services.AddSingleton<ExecutionHistoryService>();
        services.AddSingleton<ActionExecutionService>();
        services.AddSingleton<BulkRunService>();
        services.AddSingleton<StoreInitializer>();
        return builder;
    }

    /// <summary>
    /// A provider's own context type (its migrations are found by that type) behind the
    /// <see cref="IDbContextFactory{AppDbContext}"/> and scoped <see cref="AppDbContext"/> every service uses.
    /// </summary>
    private static void AddAppStore<TContext>(IServiceCollection services, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : AppDbContext
    {
        services.AddDbContextFactory<TContext>(configure);
        services.AddSingleton<IDbContextFactory<AppDbContext>, AppStoreFactory<TContext>>();
        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<TContext>());
    }

    private sealed class AppStoreFactory<TContext>(IDbContextFactory<TContext> contexts) : IDbContextFactory<AppDbContext>
        where TContext : AppDbContext
    {
        public AppDbContext CreateDbContext() => contexts.CreateDbContext();

        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await contexts.CreateDbContextAsync(cancellationToken);
    }
}
