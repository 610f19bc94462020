using System.Text.Json;
using Actions.Data.Errors;
using Actions.Data.Execution;
using Actions.Data.Platform;
using Actions.Web.Hosting;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>
/// The two run endpoints, <c>POST /api/action/:id/execute</c> and <c>POST /api/public/action/:uuid/execute</c>, as
/// minimal endpoints: running actions is the product's hot path, and MVC's filter pipeline and model binding cost
/// more per run than everything these handlers do. Authentication, body reading, error rendering and the public
/// error reduction are the same code the controllers use.
/// </summary>
public static class ExecuteEndpoints
{
    public static void MapExecuteEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/action/{id:int:min(0)}/execute", ExecuteAsync).AllowAnonymous().WithTags("Action")
            .WithSummary("Runs an action with {\"parameters\": {…}} (read permission).").WithRunDocumentation();
        app.MapPost("/api/public/action/{uuid}/execute", ExecutePublicAsync).AllowAnonymous().WithTags("PublicAction")
            .WithSummary("Runs a publicly shared action, anonymously (rate limited).").WithRunDocumentation();
    }

    /// <summary>What a run reads and answers, for the OpenAPI document (the handlers read and write the JSON themselves).</summary>
    private static RouteHandlerBuilder WithRunDocumentation(this RouteHandlerBuilder endpoint)
    {
        endpoint.WithMetadata(new RequestBodyAttribute<ExecuteBody>(required: false));
        return endpoint.Produces<ExecuteAnswer>(StatusCodes.Status200OK).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>
    /// <c>POST /api/action/{id}/execute</c> or <c>POST /api/public/action/{uuid}/execute</c> (by shape: the endpoints
    /// still check the id and answer unknown ones); these need no authentication middleware. (A GET on the same path
    /// is the prefetch controller, which does.)
    /// </summary>
    public static bool IsRun(string method, PathString path)
    {
        if (!HttpMethods.IsPost(method)) return false;
        var value = path.Value;
        if (value is null || !value.EndsWith("/execute", StringComparison.Ordinal)) return false;
        var rest = value.StartsWith("/api/action/", StringComparison.Ordinal) ? value.AsSpan("/api/action/".Length)
            : value.StartsWith("/api/public/action/", StringComparison.Ordinal) ? value.AsSpan("/api/public/action/".Length)
            : default;
        // One segment between the prefix and /execute.
        return rest.Length > "/execute".Length && rest[..^"/execute".Length].IndexOf('/') < 0;
    }

    private static async Task ExecuteAsync(HttpContext context, int id, AccountService accounts, ActionExecutionService execution)
    {
        var ct = context.RequestAborted;
        // The same caller resolution as the API's authentication handler; no caller → the same plain 401.
        var caller = await ApiAuthenticationHandler.ResolveCallerAsync(context.Request, accounts, ct)
            ?? throw new PlainError(StatusCodes.Status401Unauthorized, "Unauthenticated");
        RequestBody.RouteId("id", id);
        var parameters = await ParametersAsync(context.Request, ct);
        await WriteAsync(context.Response, await execution.ExecuteAsync(caller, id, parameters, ExecutionSources.Api, ct));
    }

    private static async Task ExecutePublicAsync(HttpContext context, string uuid, ActionExecutionService execution, ILogger<PublicActionController> logger)
    {
        var ct = context.RequestAborted;
        var result = await PublicActionController.ReducedAsync(logger, async () =>
        {
            var parameters = await ParametersAsync(context.Request, ct);
            return await execution.ExecutePublicAsync(uuid, parameters, ApiControllerBase.ClientIpOf(context), ct);
        });
        await WriteAsync(context.Response, result);
    }

    /// <summary>The body's <c>parameters</c> map, read and checked as the controllers do.</summary>
    private static async Task<System.Text.Json.Nodes.JsonObject?> ParametersAsync(HttpRequest request, CancellationToken ct) =>
        ActionController.ParametersOf(new RequestBody(await ApiControllerBase.ReadJsonAsync(request, ct)));

    /// <summary>The run's status and body, serialised straight into the response.</summary>
    private static async Task WriteAsync(HttpResponse response, ExecutionResult result)
    {
        response.StatusCode = result.Status;
        if (result.Status == StatusCodes.Status204NoContent) return;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder }))
        {
            if (result.Body is null) writer.WriteNullValue();
            else result.Body.WriteTo(writer, ApiJson.Options);
        }
        await response.BodyWriter.FlushAsync();
    }
}
