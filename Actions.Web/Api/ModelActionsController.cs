using Actions.Data.ActionDefinitions;
using Actions.Web.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>Conveniences on models that the browser app also uses.</summary>
[Route("api/model")]
public sealed class ModelActionsController(ActionService actions) : ApiControllerBase
{
    /// <summary>Creates the basic implicit actions (create, update, delete) of a model → the three actions.</summary>
    [HttpPost("{id:int:min(0)}/implicit-actions")]
    public async Task<IActionResult> CreateImplicitActions(int id, CancellationToken ct)
    {
        var created = await actions.CreateBasicActionsAsync(Caller, RouteId(id), ct);
        return Content(created.ToJsonString(ApiJson.Options), "application/json; charset=utf-8");
    }
}
