using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Actions.Data.Platform;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Actions.Web.Hosting;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Actions.Tests.Components;

/// <summary>
/// The real service layer (the app on a fresh DataDir with the Sample Database) behind bUnit: components are rendered
/// with the same singletons the app uses, signed in as the superuser or as a plain member.
/// </summary>
public sealed class ComponentHost : IAsyncLifetime
{
    public AppFactory App { get; } = new(new Dictionary<string, string?> { ["Actions:SampleData"] = "true" });
    public ApiClient Admin { get; private set; } = null!;
    public int AdminId { get; private set; }
    public int MemberId { get; private set; }

    public async Task InitializeAsync()
    {
        Admin = await Seeded.AdminAsync(App);
        AdminId = (await Admin.Get("/api/user/current")).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        (_, MemberId) = await Seeded.UserAsync(Admin, groupIds: []);
        // Members (All Users, group 1) may read the root collection, where the sample models live, but not write it.
        await SetAllUsersOnRootAsync("read");
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A bUnit context signed in as <paramref name="userId"/> (null: anonymous), with MudBlazor's providers rendered.</summary>
    public BunitContext Context(int? userId) => Context(userId, out _);

    /// <summary>The same, with the popover provider where menus and selects render their items.</summary>
    public BunitContext Context(int? userId, out IRenderedComponent<MudPopoverProvider> popovers)
    {
        var ctx = new BunitContext();
        // Components read the real store: on a busy two-core machine that can take longer than bUnit's 1 s default.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(20);
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = ctx.AddAuthorization();
        if (userId is { } id)
        {
            auth.SetAuthorized($"user-{id}");
            // A browser sign-in carries a store session, as the login page makes it.
            var session = App.Services.GetRequiredService<AccountService>().CreateSessionAsync(id, new SignInClient("127.0.0.1", "bUnit"), default).GetAwaiter().GetResult();
            auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(BrowserSession.SessionClaim, session));
        }
        // The fallback provider serves components, not constructors of services registered here.
        ctx.Services.AddScoped(sp => new BrowserCaller(sp.GetRequiredService<AuthenticationStateProvider>(), App.Services.GetRequiredService<AccountService>()));
        ctx.Services.AddFallbackServiceProvider(App.Services);
        ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        popovers = ctx.Render<MudPopoverProvider>();
        return ctx;
    }

    public async Task<int> ExampleActionIdAsync(string type)
    {
        var list = (await Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray();
        return list.First(a => a!["type"]!.GetValue<string>() == type)!["id"]!.GetValue<int>();
    }

    /// <summary>Sets All Users' level on the root collection through the API, at the current revision.</summary>
    /// <summary>A fresh copy of the Sample Database's query action (its own runs, its own form settings when given).</summary>
    public async Task<int> CopyOfExampleQueryAsync(string namePrefix, JsonObject? visualizationSettings = null)
    {
        var example = (await Admin.Get($"/api/action/{await ExampleActionIdAsync("query")}")).Expect(HttpStatusCode.OK).Json;
        var body = new JsonObject
        {
            ["name"] = $"{namePrefix} {Guid.NewGuid():N}",
            ["type"] = "query",
            ["model_id"] = example["model_id"]!.DeepClone(),
            ["database_id"] = example["database_id"]!.DeepClone(),
            ["dataset_query"] = example["dataset_query"]!.DeepClone(),
            ["parameters"] = example["parameters"]!.DeepClone(),
        };
        if (visualizationSettings is not null) body["visualization_settings"] = visualizationSettings;
        return (await Admin.Post("/api/action", body)).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
    }

    public async Task SetAllUsersOnRootAsync(string level)
    {
        var revision = (await Admin.Get("/api/collection/graph")).Expect(HttpStatusCode.OK).Json["revision"]!.GetValue<int>();
        (await Admin.Put("/api/collection/graph", new { revision, groups = new Dictionary<string, object> { ["1"] = new { root = level } } }))
            .Expect(HttpStatusCode.OK);
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (the page's service calls finish after the click).</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var value = await read();
            if (done(value)) return value;
            await Task.Delay(50);
        }
        throw new TimeoutException("The expected state was not reached.");
    }

    public async Task SetPublicSharingAsync(bool on) =>
        (await Admin.Put("/api/setting/enable-public-sharing", new { value = on })).Expect(HttpStatusCode.NoContent);
}

[CollectionDefinition("Components")]
public sealed class ComponentCollection : ICollectionFixture<ComponentHost>;
