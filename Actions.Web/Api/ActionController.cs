using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Execution;
using Actions.Data.Execution.Log;
using Actions.Web.Hosting;
using Actions.Web.OpenApi;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>Metabase's <c>/api/action</c>: actions, public links, execution, prefetch and the execution log.</summary>
[Route("api/action")]
public sealed class ActionController(ActionService actions, ActionExecutionService execution, ExecutionHistoryService history) : ApiControllerBase
{
    /// <summary>Actions of a model (<c>?model-id=N</c>) or of every model the caller may read.</summary>
    [HttpGet]
    [ProducesResponseType<IReadOnlyList<ActionDetails>>(StatusCodes.Status200OK)]
    public async Task<IActionResult> List(CancellationToken ct)
    {
        int? modelId = null;
        if (Request.Query.TryGetValue("model-id", out var raw))
            modelId = int.TryParse(raw.ToString(), out var m) && m > 0 ? m
                : throw ValidationError.For("model-id", RequestBody.PositiveIntText, raw.ToString());
        // Written straight from the cached UTF-8 of each action: a list of thousands is never one big string.
        Response.ContentType = "application/json; charset=utf-8";
        await actions.WriteListAsync(Caller, modelId, Response.BodyWriter, ct);
        return new EmptyResult();
    }

    /// <summary>Actions with a public link (superuser; public sharing on).</summary>
    [HttpGet("public")]
    public async Task<ActionResult<IReadOnlyList<PublicActionLink>>> ListPublic(CancellationToken ct) => Ok(await actions.ListPublicAsync(Caller, ct));

    /// <summary>An unarchived action, with its creator.</summary>
    [HttpGet("{id:int:min(0)}")]
    public async Task<ActionResult<ActionDetails>> Get(int id, CancellationToken ct) => await actions.GetAsync(Caller, RouteId(id, "action-id"), ct);

    /// <summary>Creates an action (query, implicit or http).</summary>
    [HttpPost]
    [RequestBody<ActionCreateBody>]
    public async Task<ActionResult<ActionDetails>> Create(CancellationToken ct)
    {
        var input = ActionInput.Validate(await ReadBodyAsync(ct), creating: true);
        return await actions.CreateAsync(Caller, input, ct);
    }

    /// <summary>Changes any keys (absent unchanged, null clears), the type, or archives/unarchives.</summary>
    [HttpPut("{id:int:min(0)}")]
    [RequestBody<ActionUpdateBody>]
    public async Task<ActionResult<ActionDetails>> Update(int id, CancellationToken ct)
    {
        var input = ActionInput.Validate(await ReadBodyAsync(ct), creating: false);
        return await actions.UpdateAsync(Caller, RouteId(id), input, ct);
    }

    [HttpDelete("{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(int id, CancellationToken ct)
    {
        await actions.DeleteAsync(Caller, RouteId(id, "action-id"), ct);
        return NoContent();
    }

    [HttpPost("{id:int:min(0)}/public_link")]
    public async Task<ActionResult<PublicLinkAnswer>> CreatePublicLink(int id, CancellationToken ct) =>
        new PublicLinkAnswer(await actions.CreatePublicLinkAsync(Caller, RouteId(id), ct));

    [HttpDelete("{id:int:min(0)}/public_link")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> DeletePublicLink(int id, CancellationToken ct)
    {
        await actions.DeletePublicLinkAsync(Caller, RouteId(id), ct);
        return NoContent();
    }

    // POST {id}/execute is a minimal endpoint (ExecuteEndpoints), the hot path.

    /// <summary>Prefetches the row an update/delete form starts from: <c>?parameters={"id": 1}</c>.</summary>
    [HttpGet("{id:int:min(0)}/execute")]
    [ProducesResponseType<RowValues>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Prefetch(int id, CancellationToken ct)
    {
        RouteId(id, "action-id");
        return Json(await execution.PrefetchAsync(Caller, id, QueryParameters(Request), ct));
    }

    /// <summary>The same prefetch with a body: <c>{"parameters": {…}}</c>.</summary>
    [HttpPost("{id:int:min(0)}/execute/values")]
    [RequestBody<ExecuteBody>]
    [ProducesResponseType<RowValues>(StatusCodes.Status200OK)]
    public async Task<IActionResult> PrefetchValues(int id, CancellationToken ct)
    {
        RouteId(id, "action-id");
        var parameters = ParametersOf(await ReadBodyAsync(ct)) ?? [];
        return Json(await execution.PrefetchAsync(Caller, id, parameters, ct));
    }

    /// <summary>This action's runs, newest first (write permission).</summary>
    [HttpGet("{id:int:min(0)}/execution")]
    [ProducesResponseType<ExecutionPage>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Executions(int id, CancellationToken ct)
    {
        RouteId(id);
        var (limit, offset) = Paging(Request);
        return Json(await history.ForActionAsync(Caller, id, new ExecutionHistoryService.Filter(null, null, null, limit, offset), ct));
    }

    internal static JsonObject? ParametersOf(RequestBody body)
    {
        var node = body.Raw("parameters");
        if (node is null) return null;
        if (node is JsonObject parameters) return (JsonObject)parameters.DeepClone();
        throw ValidationError.For("parameters", "nullable map", node.DeepClone());
    }

    internal static JsonObject QueryParameters(HttpRequest request)
    {
        const string text = "value must be a valid JSON string.";
        if (!request.Query.TryGetValue("parameters", out var raw)) throw ValidationError.For("parameters", text, null, missing: true);
        try
        {
            return JsonBody.Parse(raw.ToString()) as JsonObject ?? throw ValidationError.For("parameters", text, raw.ToString());
        }
        catch (ApiError)
        {
            throw ValidationError.For("parameters", text, raw.ToString());
        }
    }

    internal static (int Limit, int Offset) Paging(HttpRequest request)
    {
        var limit = 50;
        var offset = 0;
        if (request.Query.TryGetValue("limit", out var l) && !(int.TryParse(l.ToString(), out limit) && limit is > 0 and <= 1000))
            throw ValidationError.For("limit", "integer between 1 and 1000", l.ToString());
        if (request.Query.TryGetValue("offset", out var o) && !(int.TryParse(o.ToString(), out offset) && offset >= 0))
            throw ValidationError.For("offset", "integer greater than or equal to zero", o.ToString());
        return (limit, offset);
    }

    private static ContentResult Json(JsonNode node) =>
        new() { StatusCode = 200, ContentType = "application/json; charset=utf-8", Content = node.ToJsonString(ApiJson.Options) };
}

/// <summary>The whole execution log (superuser), with filters.</summary>
[Route("api/execution")]
public sealed class ExecutionController(ExecutionHistoryService history) : ApiControllerBase
{
    [HttpGet]
    [ProducesResponseType<ExecutionPage>(StatusCodes.Status200OK)]
    public async Task<IActionResult> List(CancellationToken ct)
    {
        int? actionId = null;
        if (Request.Query.TryGetValue("action-id", out var a))
            actionId = int.TryParse(a.ToString(), out var v) && v > 0 ? v : throw ValidationError.For("action-id", RequestBody.PositiveIntText, a.ToString());
        var status = Request.Query.TryGetValue("status", out var s) ? s.ToString() : null;
        if (status is not null and not ("success" or "error")) throw ValidationError.For("status", "enum of success, error", status);
        var source = Request.Query.TryGetValue("source", out var so) ? so.ToString() : null;
        if (source is not null and not (ExecutionSources.Api or ExecutionSources.Ui or ExecutionSources.Public))
            throw ValidationError.For("source", "enum of api, ui, public", source);
        var (limit, offset) = ActionController.Paging(Request);
        var page = await history.AllAsync(Caller, new ExecutionHistoryService.Filter(actionId, status, source, limit, offset), ct);
        return new ContentResult { StatusCode = 200, ContentType = "application/json; charset=utf-8", Content = page.ToJsonString(ApiJson.Options) };
    }
}
