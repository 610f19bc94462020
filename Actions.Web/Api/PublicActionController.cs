using Actions.Data.Errors;
using Actions.Data.Execution;
using Microsoft.AspNetCore.Authorization;
using Actions.Web.Hosting;
using Microsoft.AspNetCore.Mvc;

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
    public Task<IActionResult> Get(string uuid, CancellationToken ct) =>
        Reduced(async () => Content((await execution.GetPublicAsync(uuid, ClientIp, ct)).ToJsonString(ApiJson.Options), "application/json; charset=utf-8"));

    [HttpPost("{uuid}/execute")]
    public Task<IActionResult> Execute(string uuid, CancellationToken ct) =>
        Reduced(async () =>
        {
            var parameters = ActionController.ParametersOf(await ReadBodyAsync(ct));
            return ActionController.Result(await execution.ExecutePublicAsync(uuid, parameters, ClientIp, ct));
        });

    [HttpGet("{uuid}/execute")]
    public Task<IActionResult> Prefetch(string uuid, CancellationToken ct) =>
        Reduced(async () => Content((await execution.PrefetchPublicAsync(uuid, ActionController.QueryParameters(Request), ClientIp, ct))
            .ToJsonString(ApiJson.Options), "application/json; charset=utf-8"));

    private async Task<IActionResult> Reduced(Func<Task<IActionResult>> run)
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
