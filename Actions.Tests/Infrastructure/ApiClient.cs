using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Tests.Infrastructure;

/// <summary>A script's view of the REST API: JSON in, status and body out, with a session token or an API key.</summary>
public sealed class ApiClient(HttpClient http, string? session = null)
{
    public HttpClient Http { get; } = http;
    public string? Session { get; set; } = session;
    public string? ApiKey { get; set; }

    public ApiClient WithSession(string? token) => new(Http, token);
    public ApiClient WithApiKey(string key) => new(Http) { ApiKey = key };

    public Task<Response> Get(string path) => Send(HttpMethod.Get, path, null);
    public Task<Response> Post(string path, object? body = null) => Send(HttpMethod.Post, path, body);
    public Task<Response> Put(string path, object? body = null) => Send(HttpMethod.Put, path, body);
    public Task<Response> Delete(string path) => Send(HttpMethod.Delete, path, null);

    public async Task<Response> Send(HttpMethod method, string path, object? body, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (Session is not null) request.Headers.Add("X-Metabase-Session", Session);
        if (ApiKey is not null) request.Headers.Add("X-Api-Key", ApiKey);
        var text = rawBody ?? (body is null ? null : body as string ?? JsonSerializer.Serialize(body));
        if (text is not null) request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        using var response = await Http.SendAsync(request);
        return new Response(response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Content.Headers.ContentType, response.Headers);
    }

    public sealed record Response(HttpStatusCode Status, string Body, MediaTypeHeaderValue? ContentType, HttpResponseHeaders Headers)
    {
        public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("null body");

        public Response Expect(HttpStatusCode status)
        {
            Assert.True(status == Status, $"Expected {(int)status}, got {(int)Status}: {Body}");
            return this;
        }

        /// <summary>Asserts the plain-text form of the spec: exact status, exact text, text/plain.</summary>
        public void ExpectPlain(HttpStatusCode status, string text)
        {
            Expect(status);
            Assert.Equal(text, Body);
            Assert.Equal("text/plain", ContentType?.MediaType);
        }
    }
}
