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

namespace Actions.Tests.Hostile;

/// <summary>
/// A server on 127.0.0.1 for the suite's HTTP actions: answers every request with an echo of it (method, path,
/// query, headers, body) and keeps each request's full text, so the suite can tell which requests carried the
/// secret and to which path (the path names who wrote the action).
/// </summary>
public sealed class RecordingEcho : IAsyncDisposable
{
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";
    public ConcurrentQueue<(string Path, string Text)> Received { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async c =>
        {
            using var reader = new StreamReader(c.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = new JsonObject();
            foreach (var (k, v) in c.Request.Headers) headers[k.ToLowerInvariant()] = v.ToString();
            var text = $"{c.Request.Method} {c.Request.Path}{c.Request.QueryString}\n{headers.ToJsonString()}\n{body}";
            Received.Enqueue((c.Request.Path.Value ?? "", text));
            await c.Response.WriteAsJsonAsync(new JsonObject
            {
                ["method"] = c.Request.Method, ["path"] = c.Request.Path.Value, ["query"] = c.Request.QueryString.Value,
                ["headers"] = headers, ["body"] = body,
            });
        });
        await app.StartAsync();
        _app = app;
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
