using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>API keys (superuser only); the key itself is returned only on create and regenerate.</summary>
[Route("api/api-key")]
public sealed class ApiKeyController(ApiKeyService keys) : ApiControllerBase
{
    /// <summary>Creates a key: <c>{"name", "group_id"}</c>.</summary>
    [HttpPost]
    [RequestBody<ApiKeyBody>]
    public async Task<ApiKeyDto> Create(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", required: true, nonBlank: true, maxLength: 254);
        var groupId = body.PositiveInt("group_id", required: true);
        body.ThrowIfInvalid();
        return await keys.CreateAsync(Caller, name!.Trim(), groupId!.Value, ct);
    }

    [HttpGet]
    public async Task<IReadOnlyList<ApiKeyDto>> List(CancellationToken ct) => await keys.ListAsync(Caller, ct);

    [HttpPut("{id:int:min(0)}/regenerate")]
    public async Task<ApiKeyDto> Regenerate(int id, CancellationToken ct) => await keys.RegenerateAsync(Caller, RouteId(id), ct);

    [HttpDelete("{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(int id, CancellationToken ct)
    {
        await keys.DeleteAsync(Caller, RouteId(id), ct);
        return NoContent();
    }
}
