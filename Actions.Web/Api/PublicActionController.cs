using Actions.Data.Errors;
using Actions.Data.Execution;
using Microsoft.AspNetCore.Authorization;
using Actions.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>
/// Anonymous <c>/api/public/action/:uuid</c>. Errors are reduced to plain 404 <c>Not found.</c> or plain 400
/// <c>An error occurred.</c> (the 429 of the rate limits keeps its body); the real reason goes to the log.
/// </summary>
[Route("api/public/action")]
[AllowAnonymous]
public sealed class PublicActionController(ActionExecutionService execution, ILogger<PublicActionController> logger) : ApiControllerBase
{
    [HttpGet("{uuid}")]
    [ProducesResponseType<PublicActionAnswer>(StatusCodes.Status200OK)]
    public Task<IActionResult> Get(string uuid, CancellationToken ct) =>
        Reduced(async () => Content((await execution.GetPublicAsync(uuid, ClientIp, ct)).ToJsonString(ApiJson.Options), "application/json; charset=utf-8"));

    // POST {uuid}/execute is a minimal endpoint (ExecuteEndpoints), the hot path.

    [HttpGet("{uuid}/execute")]
    [ProducesResponseType<RowValues>(StatusCodes.Status200OK)]
    public Task<IActionResult> Prefetch(string uuid, CancellationToken ct) =>
        Reduced(async () => Content((await execution.PrefetchPublicAsync(uuid, ActionController.QueryParameters(Request), ClientIp, ct))
            .ToJsonString(ApiJson.Options), "application/json; charset=utf-8"));

    private Task<IActionResult> Reduced(Func<Task<IActionResult>> run) => ReducedAsync(logger, run);

    /// <summary>Runs a public request, reducing its errors to the two public forms (the 429 keeps its body).</summary>
    internal static async Task<T> ReducedAsync<T>(ILogger logger, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (PlainError e) when (e.Status == StatusCodes.Status429TooManyRequests)
        {
            throw;
        }
        catch (ApiError e)
        {
            logger.LogInformation("Public action request refused with {Status}: {Reason}", e.Status, e.Message);
            throw e.Status == StatusCodes.Status404NotFound ? ApiError.NotFound() : ApiError.BadRequest("An error occurred.");
        }
    }
}
