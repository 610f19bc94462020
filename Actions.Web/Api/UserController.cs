using System.Net.Mail;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Users (superuser only, except a user reading or renaming themself).</summary>
[Route("api/user")]
public sealed class UserController(UserService users) : ApiControllerBase
{
    [HttpGet]
    public async Task<ListPage<UserDto>> List(CancellationToken ct) =>
        await users.ListAsync(Caller, ct, includeDeactivated: QueryFlag("include_deactivated"));

    [HttpGet("{id:int:min(0)}")]
    public async Task<UserDto> Get(int id, CancellationToken ct) => await users.GetAsync(Caller, RouteId(id), ct);

    /// <summary>Creates a user: <c>{"email", "first_name", "last_name", "password"?}</c>.</summary>
    [HttpPost]
    [RequestBody<UserCreateBody>]
    public async Task<UserDto> Create(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var email = body.String("email", required: true, nonBlank: true);
        var first = body.String("first_name", maxLength: 254) ?? "";
        var last = body.String("last_name", maxLength: 254) ?? "";
        var password = body.String("password");
        body.ThrowIfInvalid();
        RequireEmail(email!);
        return await users.CreateAsync(new UserService.NewUser(email!, first, last, password), superuser: false, ct);
    }

    /// <summary>Changes names, email or <c>is_superuser</c>.</summary>
    [HttpPut("{id:int:min(0)}")]
    [RequestBody<UserUpdateBody>]
    public async Task<UserDto> Update(int id, CancellationToken ct)
    {
        RouteId(id);
        var body = await ReadBodyAsync(ct);
        var email = body.String("email", nonBlank: true);
        var first = body.String("first_name", maxLength: 254);
        var last = body.String("last_name", maxLength: 254);
        var superuser = body.Boolean("is_superuser");
        body.ThrowIfInvalid();
        if (email is not null) RequireEmail(email);
        return await users.UpdateAsync(Caller, id, new UserService.UserChanges(email, first, last, superuser), ct);
    }

    /// <summary>Sets a password: <c>{"password"}</c>.</summary>
    [HttpPut("{id:int:min(0)}/password")]
    [RequestBody<PasswordBody>]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> SetPassword(int id, CancellationToken ct)
    {
        RouteId(id);
        var body = await ReadBodyAsync(ct);
        var password = body.String("password", required: true, nonBlank: true);
        body.ThrowIfInvalid();
        await users.SetPasswordAsync(Caller, id, password!, ct, ApiAuthenticationHandler.SessionToken(Request));
        return NoContent();
    }

    [HttpPut("{id:int:min(0)}/reactivate")]
    public async Task<UserDto> Reactivate(int id, CancellationToken ct) => await users.ReactivateAsync(Caller, RouteId(id), ct);

    /// <summary>Deactivates the user; their sessions end at once.</summary>
    [HttpDelete("{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Deactivate(int id, CancellationToken ct)
    {
        await users.DeactivateAsync(Caller, RouteId(id), ct);
        return NoContent();
    }

    internal static void RequireEmail(string email)
    {
        if (!MailAddress.TryCreate(email.Trim(), out var parsed) || parsed.Address != email.Trim() || !email.Contains('.', StringComparison.Ordinal))
            throw ValidationError.For("email", "value must be a valid email address.", email);
    }
}
