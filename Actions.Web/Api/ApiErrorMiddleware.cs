using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Actions.Web.Api;

/// <summary>
/// Wraps every <c>/api</c> request: a thrown <see cref="ApiError"/> becomes its spec body; an oversized body
/// becomes 413; anything else is a bug, logged once with a correlation id that the 500 body carries —
/// never a stack trace or internal detail.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public const long MaxBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // A body the server could not read (a malformed chunk, a client that stopped sending) on a page form.
                context.Response.Clear();
                await ApiResults.WriteAsync(context.Response, Unreadable(e));
            }
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        try
        {
            if (context.Request.ContentLength > MaxBodyBytes) throw BodyTooLarge();
            await next(context);
        }
        catch (ApiError error) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiResults.WriteAsync(context.Response, error);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiResults.WriteAsync(context.Response, Unreadable(e));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var correlationId = context.TraceIdentifier;
            logger.LogError(e, "Unexpected error on {Method} {Path} (correlation id {CorrelationId})",
                context.Request.Method, context.Request.Path.Value, correlationId);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            const string message = "An unexpected error occurred. Quote the correlation id when you report it.";
            await ApiResults.WriteJsonAsync(context.Response, ApiResults.ExceptionBody(message, message,
                new Dictionary<string, JsonNode?> { ["correlation-id"] = correlationId }));
        }
    }

    public static PlainError BodyTooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Request body too large.");

    /// <summary>The server's own refusal of a request it could not read: 413 past the size limit, else a plain 4xx with its reason.</summary>
    private static PlainError Unreadable(BadHttpRequestException e) =>
        e.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyTooLarge()
            : new PlainError(e.StatusCode is >= 400 and < 500 ? e.StatusCode : StatusCodes.Status400BadRequest, "Invalid request body: " + e.Message);
}
