using System.Security.Claims;
using System.Text.Encodings.Web;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Actions.Web.Api;

public sealed class ApiAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates <c>/api</c> requests by <c>X-Metabase-Session</c>, <c>Authorization: Bearer</c> or
/// <c>X-Api-Key</c>. A challenge is a plain 401 <c>Unauthenticated</c>, never a redirect.
/// </summary>
public sealed class ApiAuthenticationHandler(IOptionsMonitor<ApiAuthenticationOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, AccountService accounts) : AuthenticationHandler<ApiAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ActionsApi";
    private static readonly object CallerKey = new();

    public static Caller? GetCaller(HttpContext context) => context.Items[CallerKey] as Caller;

    /// <summary>The session token a request carries, if any (for logout).</summary>
    public static string? SessionToken(HttpRequest request)
    {
        if (request.Headers["X-Metabase-Session"].ToString() is { Length: > 0 } session) return session.Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    /// <summary>The caller a request's session token or API key stands for (the session token first); null when neither is valid.</summary>
    public static async Task<Caller?> ResolveCallerAsync(HttpRequest request, AccountService accounts, CancellationToken ct)
    {
        Caller? caller = null;
        if (SessionToken(request) is { Length: > 0 } token)
            caller = await accounts.AuthenticateSessionAsync(token, ct);
        var apiKey = request.Headers["X-Api-Key"].ToString();
        if (caller is null && apiKey.Length > 0)
            caller = await accounts.AuthenticateApiKeyAsync(apiKey.Trim(), ct);
        if (caller is not null) request.HttpContext.Items[CallerKey] = caller;
        return caller;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var caller = await ResolveCallerAsync(Request, accounts, Context.RequestAborted);
        if (caller is null) return AuthenticateResult.NoResult();

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.UserId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiResults.WriteAsync(Response, new PlainError(StatusCodes.Status401Unauthorized, "Unauthenticated"));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiResults.WriteAsync(Response, ApiError.Forbidden());
}
