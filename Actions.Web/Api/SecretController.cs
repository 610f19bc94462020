using Actions.Data.Errors;
using Actions.Data.Secrets;
using Actions.Web.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>Named secrets for HTTP actions (superuser only); values are never returned.</summary>
[Route("api/secret")]
public sealed class SecretController(SecretService secrets) : ApiControllerBase
{
    /// <summary>Adds or replaces a secret: <c>{"name", "value"}</c> → its name and timestamps.</summary>
    [HttpPost]
    public async Task<IActionResult> Set(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", required: true, nonBlank: true, maxLength: SecretService.NameLength);
        if (name is not null && !SecretService.IsValidName(name))
            body.Errors.Add(["name"], "letters, digits, '_', '.' or '-'", body.Raw("name")!.DeepClone());
        var value = body.String("value", required: true);
        body.ThrowIfInvalid();
        return Content((await secrets.SetAsync(Caller, name!, value!, ct)).ToJsonString(ApiJson.Options), "application/json; charset=utf-8");
    }

    [HttpGet]
    public async Task<IActionResult> List(CancellationToken ct) =>
        Content((await secrets.ListAsync(Caller, ct)).ToJsonString(ApiJson.Options), "application/json; charset=utf-8");

    [HttpDelete("{name}")]
    public async Task<IActionResult> Delete(string name, CancellationToken ct)
    {
        await secrets.DeleteAsync(Caller, name, ct);
        return NoContent();
    }
}
