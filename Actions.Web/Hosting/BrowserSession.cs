using System.Security.Claims;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Actions.Web.Hosting;

/// <summary>The browser's Identity cookie: who it stands for, and its rejection once the user is deactivated.</summary>
public static class BrowserSession
{
    public static ClaimsPrincipal Principal(UserDto user) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Email),
        new Claim(ClaimTypes.GivenName, user.CommonName),
    ], IdentityConstants.ApplicationScheme));

    public static int? UserId(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        if (UserId(context.Principal!) is not { } id || await accounts.CallerForUserAsync(id, context.HttpContext.RequestAborted) is null)
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
        return BrowserSession.UserId(state.User) is { } id ? await accounts.CallerForUserAsync(id, ct) : null;
    }
}
