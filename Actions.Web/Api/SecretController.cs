using Actions.Data.Secrets;
using Actions.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>
/// Named secrets for HTTP actions, bound to the hosts they may be sent to (superuser only, checked before the body is
/// read); values are never returned.
/// </summary>
[Route("api/secret")]
public sealed class SecretController(SecretService secrets) : ApiControllerBase
{
    /// <summary><c>{"name", "value", "allowed_hosts"}</c> → <c>{"name", "allowed_hosts", "created_at", "updated_at"}</c>; a taken name is a plain 400.</summary>
    [HttpPost]
    [RequestBody<SecretBody>]
    [ProducesResponseType<SecretAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Create(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var input = SecretService.Read(await ReadBodyAsync(ct), creating: true);
        return Answer(await secrets.CreateAsync(Caller, input, ct));
    }

    /// <summary><c>{"value"}</c> and/or <c>{"allowed_hosts"}</c>: validation 400, then 404 for an unknown name.</summary>
    [HttpPut("{name}")]
    [RequestBody<SecretBody>]
    [ProducesResponseType<SecretAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Update(string name, CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var input = SecretService.Read(await ReadBodyAsync(ct), creating: false);
        return Answer(await secrets.UpdateAsync(Caller, name, input, ct));
    }

    [HttpGet]
    [ProducesResponseType<IReadOnlyList<SecretAnswer>>(StatusCodes.Status200OK)]
    public async Task<IActionResult> List(CancellationToken ct) => Answer(await secrets.ListAsync(Caller, ct));

    [HttpDelete("{name}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string name, CancellationToken ct)
    {
        await secrets.DeleteAsync(Caller, name, ct);
        return NoContent();
    }

    private ContentResult Answer(System.Text.Json.Nodes.JsonNode node) => Content(node.ToJsonString(ApiJson.Options), "application/json; charset=utf-8");
}
