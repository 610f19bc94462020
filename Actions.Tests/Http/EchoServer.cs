using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actions.Tests.Http;

/// <summary>A real HTTP server on 127.0.0.1 for HTTP actions to call: echo, status codes, text, slow, redirects, huge bodies.</summary>
public sealed class EchoServer : IAsyncLifetime
{
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The same server by another host name (<c>localhost</c>), for host rules and cross-host redirects.</summary>
    public string OtherHostUrl => BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

    /// <summary>Path and query of every request received, in arrival order (tests mark theirs with a unique path).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>Whether any request whose path (not query) contains <paramref name="marker"/> arrived.</summary>
    public bool Saw(string marker) => Received.Any(r => r.Split('?')[0].Contains(marker, StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use((c, next) =>
        {
            Received.Enqueue(c.Request.Path.Value + c.Request.QueryString.Value);
            return next(c);
        });
        app.Map("/echo/{**rest}", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body, Encoding.UTF8);
            var headers = new JsonObject();
            foreach (var (k, v) in c.Request.Headers) headers[k.ToLowerInvariant()] = v.ToString();
            var query = new JsonObject();
            foreach (var (k, v) in c.Request.Query) query[k] = v.ToString();
            return Results.Json(new JsonObject
            {
                ["method"] = c.Request.Method, ["path"] = c.Request.Path.Value, ["rawQuery"] = c.Request.QueryString.Value,
                ["query"] = query, ["headers"] = headers, ["body"] = await reader.ReadToEndAsync(),
            });
        });
        app.Map("/status/{code:int}", (int code) => Results.Json(new JsonObject { ["code"] = code, ["error"] = "boom" }, statusCode: code));
        app.Map("/text", () => Results.Text("plain hello", "text/plain"));
        app.Map("/empty", () => Results.NoContent());
        app.Map("/slow", async (int ms, CancellationToken ct) =>
        {
            await Task.Delay(ms, ct);
            return Results.Json(new JsonObject { ["slow"] = true });
        });
        app.Map("/redirect", (int n, HttpContext c) =>
            n <= 0 ? Results.Redirect("/echo/landed") : Results.Redirect($"/redirect?n={n - 1}"));
        // A redirect to any absolute URL (another host, for instance), with the given status (302 unless told).
        app.Map("/goto", (string url, int? status) => Results.Redirect(url, permanent: status is 301 or 308, preserveMethod: status is 307 or 308));
        app.Map("/huge", (int bytes) => Results.Text(new string('x', bytes), "text/plain"));
        // The same without a Content-Length: the body arrives in flushed 1,000-byte chunks of a JSON string.
        app.Map("/huge-chunked", async (int bytes, HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("\"");
            for (var left = bytes - 2; left > 0; left -= 1000)
            {
                await c.Response.WriteAsync(new string('y', Math.Min(left, 1000)));
                await c.Response.Body.FlushAsync();
            }
            await c.Response.WriteAsync("\"");
        });
        await app.StartAsync();
        _app = app;
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
