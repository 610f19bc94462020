using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>The caller's sign-ins (Metabase clients check it when saving a connection).</summary>
[Route("api/login-history")]
public sealed class LoginHistoryController(LoginHistoryService history) : ApiControllerBase
{
    /// <summary>The caller's sign-ins, newest first: <c>[{"timestamp", "ip_address", "device_description", "active"}]</c>.</summary>
    [HttpGet("current")]
    public async Task<IReadOnlyList<LoginHistoryEntry>> Current(CancellationToken ct) => await history.CurrentAsync(Caller, ct);
}
