using Actions.Data.ActionDefinitions;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>Conveniences on models that the browser app also uses.</summary>
[Route("api/model")]
public sealed class ModelActionsController(ActionService actions) : ApiControllerBase
{
    /// <summary>Creates the basic implicit actions (create, update, delete) of a model → the three actions.</summary>
    [HttpPost("{id:int:min(0)}/implicit-actions")]
    public async Task<ActionResult<IReadOnlyList<ActionDetails>>> CreateImplicitActions(int id, CancellationToken ct) =>
        Ok(await actions.CreateBasicActionsAsync(Caller, RouteId(id), ct));
}
