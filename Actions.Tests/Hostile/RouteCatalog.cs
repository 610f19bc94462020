using System.Text.RegularExpressions;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Hostile;

/// <summary>One route and method the app maps, read from its own endpoint table.</summary>
public sealed record RouteInfo(string Method, RoutePattern Pattern, bool Anonymous, bool StaticFile)
{
    /// <summary>The pattern with each parameter as <c>{}</c>: <c>api/action/{}/execute</c>.</summary>
    public string Key { get; } = Regex.Replace(Pattern.RawText?.TrimStart('/') ?? "", @"\{[^}]*\}", "{}");

    /// <summary>The literal segments before the first parameter: <c>api/action</c>; what the ids belong to.</summary>
    public string Prefix { get; } = string.Join("/", Pattern.PathSegments.TakeWhile(s => s.IsSimple && s.Parts[0].IsLiteral)
        .Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content));

    public bool HasParameters => Pattern.Parameters.Count > 0;
}

/// <summary>
/// Every route of the app, enumerated from the endpoint data source of an in-process instance, so that routes
/// added later are covered without editing the suite. Static files are kept to a few (they are thousands of
/// identical file endpoints).
/// </summary>
public static class RouteCatalog
{
    private static readonly string[] AnyMethod = ["GET", "POST"];

    public static IReadOnlyList<RouteInfo> Read()
    {
        using var app = new AppFactory();
        var source = app.Services.GetRequiredService<EndpointDataSource>();
        var routes = new List<RouteInfo>();
        var staticFiles = 0;
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>().OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal))
        {
            var raw = endpoint.RoutePattern.RawText ?? "";
            var isStatic = !raw.Contains('{') && Regex.IsMatch(raw, @"\.(js|css|map|ico|png|svg|woff2?|ttf|json|gz|br|html|txt)$");
            if (isStatic && ++staticFiles > 3) continue;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? AnyMethod;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            foreach (var method in methods.Distinct())
            {
                var route = new RouteInfo(method, endpoint.RoutePattern, anonymous, isStatic);
                if (!routes.Any(r => r.Method == route.Method && r.Key == route.Key)) routes.Add(route);
            }
        }
        return routes;
    }
}
