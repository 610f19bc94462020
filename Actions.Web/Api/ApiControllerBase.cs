using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary>
/// Base of every REST controller: authenticated by session token or API key (never the cookie), bodies read
/// as JSON with the spec's size and syntax errors, the caller resolved by the authentication handler.
/// </summary>
[Authorize(AuthenticationSchemes = ApiAuthenticationHandler.SchemeName)]
[Produces("application/json")]
[ApiExplorerSettings(IgnoreApi = false)]
public abstract class ApiControllerBase : ControllerBase
{
    protected Caller Caller => ApiAuthenticationHandler.GetCaller(HttpContext)
        ?? throw new InvalidOperationException("No caller on an authenticated request.");

    protected string ClientIp => ClientIpOf(HttpContext);

    /// <summary>Where a sign-in comes from: the client address and the User-Agent (login history).</summary>
    protected SignInClient SignInClient => new(ClientIp, Request.Headers.UserAgent.ToString());

    /// <summary>The socket's address: forwarded headers are not trusted (see the README's Decisions).</summary>
    internal static string ClientIpOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Reads the body as JSON (null when empty): <see cref="JsonBody"/>'s errors, 413 past 1 MiB.</summary>
    protected async Task<RequestBody> ReadBodyAsync(CancellationToken ct)
    {
        var node = await ReadJsonAsync(Request, ct);
        return new RequestBody(node);
    }

    internal static async Task<JsonNode?> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream(request.ContentLength is > 0 and <= ApiErrorMiddleware.MaxBodyBytes ? (int)request.ContentLength : 256);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > ApiErrorMiddleware.MaxBodyBytes) throw ApiErrorMiddleware.BodyTooLarge();
                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            // The server could not decode the body (e.g. a chunk size that overflows): the client's fault.
            throw ApiError.BadRequest("Invalid request body: " + e.Message);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return JsonBody.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    protected static int RouteId(int id, string key = "id") => RequestBody.RouteId(key, id);

    /// <summary>A <c>true</c>/<c>false</c> query flag (absent is false); anything else is a validation 400 under its key.</summary>
    protected bool QueryFlag(string key)
    {
        var text = Request.Query[key].ToString();
        if (text is not ("" or "true" or "false")) throw ValidationError.For(key, "nullable boolean", text);
        return text == "true";
    }
}
