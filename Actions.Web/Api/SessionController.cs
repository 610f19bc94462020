using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Sign-in with a session token, setup of the first user, the caller, and health.</summary>
[Route("api")]
public sealed class SessionController(AccountService accounts, StoreHealth health) : ApiControllerBase
{
    /// <summary>Signs in: <c>{"username", "password"}</c> → <c>{"id": token}</c>.</summary>
    [HttpPost("session"), AllowAnonymous]
    [RequestBody<SessionBody>]
    [ProducesResponseType<SessionAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Login(CancellationToken ct)
    {
        var body = await ReadBodyAsync(ct);
        var username = body.String("username", required: true, nonBlank: true);
        var password = body.String("password", required: true, nonBlank: true);
        body.ThrowIfInvalid();
        var (token, _) = await accounts.LoginAsync(username!, password!, SignInClient, ct);
        return Ok(new { id = token });
    }

    /// <summary>Ends the session whose token the request carries.</summary>
    [HttpDelete("session")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Logout(CancellationToken ct)
    {
        if (ApiAuthenticationHandler.SessionToken(Request) is { } token) await accounts.LogoutAsync(token, ct);
        return NoContent();
    }

    /// <summary>Creates the first superuser; 403 once any user exists.</summary>
    [HttpPost("setup"), AllowAnonymous]
    [RequestBody<SetupBody>]
    [ProducesResponseType<SessionAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Setup(CancellationToken ct)
    {
        var body = await ReadBodyAsync(ct);
        body.Map("user", required: true);
        body.ThrowIfInvalid();
        var inner = body.Nested("user");
        var email = inner.String("email", required: true, nonBlank: true);
        var password = inner.String("password", required: true, nonBlank: true);
        var first = inner.String("first_name", maxLength: 254) ?? "";
        var last = inner.String("last_name", maxLength: 254) ?? "";
        inner.ThrowIfInvalid();
        UserController.RequireEmail(email!);
        var token = await accounts.SetupAsync(new UserService.NewUser(email!, first, last, password), SignInClient, ct);
        return Ok(new { id = token });
    }

    /// <summary>The caller's user object.</summary>
    [HttpGet("user/current")]
    public async Task<UserDto> Current(CancellationToken ct) => await accounts.CurrentAsync(Caller, ct);

    /// <summary>200 <c>{"status": "ok"}</c> once the app store answers, 503 otherwise.</summary>
    [HttpGet("health"), AllowAnonymous]
    [ProducesResponseType<StatusAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Health(CancellationToken ct) =>
        await health.IsHealthyAsync(ct)
            ? Ok(new { status = "ok" })
            : StatusCode(StatusCodes.Status503ServiceUnavailable, new { status = "unhealthy" });
}
