using System.Security.Claims;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Actions.Web.Hosting;

/// <summary>
/// The browser's Identity cookie: who it stands for and the store session it carries (made at sign-in like an API
/// sign-in's), so that signing out, a password reset or deactivating the user ends it on every instance.
/// </summary>
public static class BrowserSession
{
    /// <summary>The claim that carries the store session token.</summary>
    public const string SessionClaim = "actions:session";

    public static ClaimsPrincipal Principal(UserDto user, string sessionToken) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Email),
        new Claim(ClaimTypes.GivenName, user.CommonName),
        new Claim(SessionClaim, sessionToken),
    ], IdentityConstants.ApplicationScheme));

    public static int? UserId(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string? SessionToken(ClaimsPrincipal principal) => principal.FindFirstValue(SessionClaim);

    /// <summary>The caller the cookie stands for while its session is open and its user active; else null.</summary>
    public static async Task<Caller?> CallerAsync(ClaimsPrincipal principal, AccountService accounts, CancellationToken ct) =>
        UserId(principal) is { } id && SessionToken(principal) is { } token
            && await accounts.AuthenticateSessionAsync(token, ct) is { } caller && caller.UserId == id ? caller : null;

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        if (await CallerAsync(context.Principal!, accounts, context.HttpContext.RequestAborted) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
    }
}

/// <summary>The signed-in browser user as a <see cref="Caller"/> for the service layer (fresh on every call).</summary>
public sealed class BrowserCaller(AuthenticationStateProvider auth, AccountService accounts)
{
    public async Task<Caller?> GetAsync(CancellationToken ct = default)
    {
        var state = await auth.GetAuthenticationStateAsync();
        return await BrowserSession.CallerAsync(state.User, accounts, ct);
    }
}
