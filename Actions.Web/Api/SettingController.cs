using System.Text.Json.Nodes;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Admin settings (superuser only).</summary>
[Route("api/setting")]
public sealed class SettingController(SettingService settings) : ApiControllerBase
{
    [HttpGet]
    public async Task<IReadOnlyList<SettingDto>> List(CancellationToken ct) => await settings.ListAsync(Caller, ct);

    /// <summary>The bare value as JSON (e.g. <c>true</c>).</summary>
    [HttpGet("{key}")]
    [ProducesResponseType<System.Text.Json.JsonElement>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Get(string key, CancellationToken ct)
    {
        var value = await settings.GetAsync(Caller, key, ct);
        return Content(value?.ToJsonString() ?? "null", "application/json; charset=utf-8");
    }

    /// <summary>Sets a value: <c>{"value": …}</c> (null restores the default) → 204.</summary>
    [HttpPut("{key}")]
    [RequestBody<SettingBody>]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Set(string key, CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        await settings.SetAsync(Caller, key, body.Raw("value")?.DeepClone() as JsonNode, ct);
        return NoContent();
    }
}
