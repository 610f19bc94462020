using System.Text.Json;
using Actions.Web.Api;
using Actions.Web.Components;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Configuration.Json;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace Actions.Web.Hosting;

public static class WebHostingExtensions
{
    /// <summary>Loads the repository's <c>appsettings.json</c> (copied beside the binaries) below every other source.</summary>
    /// <summary>
    /// The <c>wwwroot</c> beside a published app's assembly, or null (the default) when there is none: a build run with
    /// <c>dotnet run</c> or by the tests serves its static files through the static web assets manifest instead.
    /// </summary>
    public static string? PublishedWebRoot()
    {
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(published) ? published : null;
    }

    public static WebApplicationBuilder AddActionsConfiguration(this WebApplicationBuilder builder)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (File.Exists(file))
        {
            var source = new JsonConfigurationSource { Path = file, Optional = true, ReloadOnChange = false };
            source.ResolveFileProvider();
            builder.Configuration.Sources.Insert(0, source);
        }
        // Static web assets (MudBlazor, blazor.web.js) are served from packages also outside Development.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplicationBuilder AddActionsWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddControllers(o =>
            {
                // The API reads every body as JSON itself, whatever Content-Type a script sends.
                o.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
                o.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
                o.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            })
            .AddJsonOptions(o => ApiJson.Configure(o.JsonSerializerOptions));
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddOperationTransformer<Actions.Web.OpenApi.RequestBodyTransformer>();
            o.AddOperationTransformer<Actions.Web.OpenApi.ErrorResponsesTransformer>();
        });

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddCookie(IdentityConstants.ApplicationScheme, o =>
            {
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.ExpireTimeSpan = TimeSpan.FromDays(14);
                o.SlidingExpiration = true;
                o.Cookie.Name = "actions.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = BrowserSession.ValidateAsync };
            })
            .AddScheme<ApiAuthenticationOptions, ApiAuthenticationHandler>(ApiAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddScoped<BrowserCaller>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        return builder;
    }

    public static WebApplication UseActionsPipeline(this WebApplication app)
    {
        // Behind a load balancer the client's address comes from X-Forwarded-For — only when the connection comes
        // from a configured proxy (Actions:ForwardedHeaders:KnownProxies); from anyone else the headers are ignored.
        var proxies = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Actions.Data.Hosting.ActionsOptions>>().Value.ForwardedHeaders.Networks;
        if (proxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions
            {
                ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
                // Walk back through every known proxy to the first address that is not one.
                ForwardLimit = null,
            };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in proxies) forwarded.KnownIPNetworks.Add(network);
            app.UseForwardedHeaders(forwarded);
        }
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        // An unknown page address answers 404 with the not-found page, rendered in the app's layout by running the request
        // again at /not-found. Only 404s, and not under /api (its unknown routes answer a plain "Not found.") nor for a
        // file name (a missing script or stylesheet stays a bare 404). On the main pipeline: the run again needs the
        // app's routing, which a UseWhen branch does not get.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use(async (context, next) =>
        {
            var pageAddress = IsPageAddress(context.Request.Path);
            await next(context);
            if ((!pageAddress || context.Response.StatusCode != StatusCodes.Status404NotFound) && context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
                statusCodePages.Enabled = false;
        });
        app.UseMiddleware<ApiErrorMiddleware>();
        // The cookie scheme is the default, for the browser app; the API's controllers ask for their own scheme
        // (session token or API key). The two run endpoints resolve their caller themselves and allow anonymous
        // requests, so the product's hot path skips the authentication and authorization middlewares.
        app.UseWhen(context => !ExecuteEndpoints.IsRun(context.Request.Method, context.Request.Path), branch =>
        {
            branch.UseAuthentication();
            branch.UseAuthorization();
        });
        // WebApplication adds both middlewares in front of everything when it does not see them set on the main
        // pipeline (a branch's flags stay in the branch); these are the flags it checks.
        var properties = ((IApplicationBuilder)app).Properties;
        properties["__AuthenticationMiddlewareSet"] = true;
        properties["__AuthorizationMiddlewareSet"] = true;
        app.UseAntiforgery();
        return app;
    }

    private static bool IsPageAddress(PathString path) => !path.StartsWithSegments("/api") && !Path.HasExtension(path.Value);

    public static WebApplication MapActionsEndpoints(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapControllers();
        app.MapExecuteEndpoints();
        app.MapOpenApi("/api/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("Actions REST API").WithOpenApiRoutePattern("/api/openapi/{documentName}.json"))
            .AllowAnonymous();
        // Anything else under /api is an unknown route: plain 404, never the browser app.
        app.Map("/api/{**rest}", () => ApiResults.Plain(StatusCodes.Status404NotFound, "Not found.")).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

public static class ApiJson
{
    /// <summary>The API's serializer settings, for bodies written by hand.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions();
        Configure(o);
        return o;
    }

    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        // Numbers are numbers: the web defaults' "numbers may come as strings" would make /api/docs offer strings
        // for every id, which the API's own body parsing rejects (nothing here reads bodies through the serializer).
        o.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        // Stored JSON (form settings, connection details) is at most JsonBody.MaxDepth deep; answers embed it.
        o.MaxDepth = Actions.Data.Errors.JsonBody.MaxWriteDepth;
        // API bodies are JSON, never HTML: keep quotes and non-ASCII readable instead of \u escapes.
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }
}
