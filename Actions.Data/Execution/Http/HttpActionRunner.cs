using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Jq;
using Actions.Data.Secrets;
using Microsoft.Extensions.Options;

namespace Actions.Data.Execution.Http;

/// <summary>A remote error per <c>error_handle</c>: 400 <c>{"remote-status", "message"?}</c>.</summary>
public sealed class RemoteError(int remoteStatus, JsonNode? message) : ApiError(400, $"The service answered {remoteStatus}")
{
    public int RemoteStatus { get; } = remoteStatus;
    public JsonNode? RemoteMessage { get; } = message;
}

/// <summary>
/// Runs HTTP actions: renders the template, calls the service through <see cref="IHttpClientFactory"/> (timeout,
/// size limit, at most 5 redirects, no retries, private-network guard on every connection; a request that carries
/// secrets goes only to a host every one of them allows and follows no redirect to another host), then applies the
/// error and response handles with jq.
/// </summary>
public sealed class HttpActionRunner(IHttpClientFactory clients, SecretService secrets, IOptions<ActionsOptions> options) : IActionRunner
{
    public const string ClientName = "http-actions";
    private const int MaxRedirects = 5;
    private const string DefaultErrorHandle = ".status >= 400";

    public string Type => ActionDefinition.HttpType;

    /// <summary>
    /// What does not change between runs of one version of an action: the template's parts, the secrets it names and
    /// the compiled handles. Keyed by the cached part, so a new version (a new part) gets a new plan.
    /// </summary>
    private sealed class HttpPlan
    {
        public HttpPlan(HttpActionPart part)
        {
            var template = JsonNode.Parse(part.TemplateJson) as JsonObject ?? [];
            Method = new HttpMethod(template["method"]?.GetValue<string>() ?? "GET");
            var (url, body, headers) = HttpRequestTemplate.Texts(template);
            UrlText = url ?? "";
            BodyText = body;
            HeadersText = headers;
            SecretNames = new[] { UrlText, BodyText, HeadersText }.SelectMany(HttpRequestTemplate.SecretNames).Distinct().ToList();
            _errorHandleText = part.ErrorHandle ?? DefaultErrorHandle;
            _responseHandleText = part.ResponseHandle;
            _errorHandle = TryCompile(_errorHandleText);
            _responseHandle = _responseHandleText is null ? null : TryCompile(_responseHandleText);
        }

        public HttpMethod Method { get; }
        public string UrlText { get; }
        public string? BodyText { get; }
        public string? HeadersText { get; }
        public List<string> SecretNames { get; }
        // Handles are checked when saved; one that no longer compiles is compiled (and refused) again on every run.
        public JqProgram ErrorHandle => _errorHandle ?? JqProgram.Compile(_errorHandleText);
        public JqProgram? ResponseHandle => _responseHandleText is null ? null : _responseHandle ?? JqProgram.Compile(_responseHandleText);

        private readonly string _errorHandleText;
        private readonly string? _responseHandleText;
        private readonly JqProgram? _errorHandle;
        private readonly JqProgram? _responseHandle;

        private static JqProgram? TryCompile(string text)
        {
            try
            {
                return JqProgram.Compile(text);
            }
            catch (JqSyntaxException)
            {
                return null;
            }
        }
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpActionPart, HttpPlan> _plans = new();

    public async Task<ExecutionResult> RunAsync(RunInput input, CancellationToken ct)
    {
        var plan = _plans.GetValue(input.Action.Http!, static part => new HttpPlan(part));
        var named = await secrets.ForRunAsync(plan.SecretNames, ct);
        var secretValues = named.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);
        var scrubber = new SecretScrubber(secretValues.Values);
        try
        {
            // A parameter sent as null is present (it renders as empty text); the request keeps such keys for HTTP runs.
            (bool, JsonNode?) Value(string id)
            {
                if (input.Request.ContainsKey(id)) return (true, input.Request[id]);
                if (input.Defaulted.ContainsKey(id)) return (true, input.Defaulted[id]);
                var parameter = input.Parameters.OfType<JsonObject>().FirstOrDefault(p => p["id"]?.ToString() == id);
                return parameter?["default"] is { } d ? (true, d) : (false, null);
            }
            var used = new List<string>();
            var url = HttpRequestTemplate.Render(plan.UrlText, HttpRequestTemplate.Target.Url, Value, secretValues, used);
            var body = plan.BodyText is { } bodyText ? HttpRequestTemplate.Render(bodyText, HttpRequestTemplate.Target.Body, Value, secretValues, used) : null;
            var headers = plan.HeadersText is { } headersText ? ParseHeaders(HttpRequestTemplate.Render(headersText, HttpRequestTemplate.Target.Headers, Value, secretValues, used)) : [];
            var carried = used.Select(name => (name, named[name].AllowedHosts)).ToList();
            var response = await CallAsync(plan.Method, url, body, headers, carried, input.Action.Name, ct);
            return Handle(plan, response, scrubber);
        }
        catch (ApiError e) when (e is ExceptionError)
        {
            throw scrubber.Scrub(e);
        }
    }

    private static Dictionary<string, string> ParseHeaders(string text)
    {
        const string message = "Problem building request: headers must be a JSON object";
        if (string.IsNullOrWhiteSpace(text)) return [];
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: ReadOptions);
        }
        catch (JsonException)
        {
            throw new ExceptionError(400, message);
        }
        if (node is not JsonObject obj || obj.Any(p => p.Value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            throw new ExceptionError(400, message);
        return obj.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
    }

    private sealed record RemoteResponse(int Status, JsonObject Headers, JsonNode? Body);

    /// <param name="carried">The secrets written into the request, with the hosts each may be sent to.</param>
    private async Task<RemoteResponse> CallAsync(HttpMethod method, string url, string? body, Dictionary<string, string> headers,
        IReadOnlyList<(string Name, IReadOnlyList<string> AllowedHosts)> carried, string actionName, CancellationToken ct)
    {
        var settings = options.Value.HttpActions;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) throw new ExceptionError(400, "Problem building request: the url is not a valid absolute URL");
        if (uri.Scheme is not ("http" or "https")) throw new ExceptionError(400, $"Problem building request: destination not allowed: {uri.Scheme}://{uri.Host}");
        // A secret goes only to its hosts: every secret the request carries must allow the URL's host.
        foreach (var (name, allowedHosts) in carried)
            if (!SecretHosts.Allows(allowedHosts, uri)) throw new ExceptionError(400, $"Problem building request: secret {name} may not be sent to {uri.Host}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var client = clients.CreateClient(ClientName);
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.TryAddWithoutValidation("Accept", "application/json");
                request.Headers.TryAddWithoutValidation("X-Metabase-Action", HeaderSafe(actionName));
                var contentType = "application/json";
                foreach (var (name, value) in headers)
                {
                    if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = HttpRequestTemplate.HeaderValue(value);
                    else
                    {
                        request.Headers.Remove(name);
                        request.Headers.TryAddWithoutValidation(name, HttpRequestTemplate.HeaderValue(value));
                    }
                }
                // Content-Type is always sent, so there is always a (possibly empty) body to carry it.
                request.Content = new StringContent(body ?? "", Encoding.UTF8);
                request.Content.Headers.Remove("Content-Type");
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                {
                    if (hop >= MaxRedirects) throw new ExceptionError(400, $"Error calling the service: more than {MaxRedirects} redirects");
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (next.Scheme is not ("http" or "https")) throw new ExceptionError(400, $"Problem building request: destination not allowed: {next.Scheme}://{next.Host}");
                    // Secrets stay on the host they were allowed for: a redirect elsewhere is not followed.
                    if (carried.Count > 0 && !next.IdnHost.Equals(uri.IdnHost, StringComparison.OrdinalIgnoreCase))
                        throw new ExceptionError(400, $"Error calling the service: redirect to {next.Host} refused: the request carries secrets");
                    uri = next;
                    if (status is 301 or 302 or 303 && method != HttpMethod.Get && method != HttpMethod.Head)
                    {
                        method = HttpMethod.Get;
                        body = null;
                    }
                    continue;
                }
                var answer = await ReadBodyAsync(response, settings.MaxResponseBytes, timeout.Token);
                var responseHeaders = new JsonObject();
                foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                    responseHeaders[name.ToLowerInvariant()] = string.Join(", ", values);
                return new RemoteResponse(status, responseHeaders, answer);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ExceptionError(400, $"Error calling the service: no answer within {settings.TimeoutSeconds} s");
        }
        catch (HttpRequestException e) when (Find<DestinationNotAllowedException>(e) is { } refused)
        {
            throw new ExceptionError(400, $"Problem building request: destination not allowed: {refused.Host}");
        }
        catch (HttpRequestException e)
        {
            throw new ExceptionError(400, $"Error calling the service: {Reason(e)}");
        }
    }

    /// <summary>The answer's body, parsed as JSON (else kept as text); refused past <paramref name="limit"/> bytes.</summary>
    private static async Task<JsonNode?> ReadBodyAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > limit) throw TooLarge(limit);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared + 1 ?? 16 * 1024, limit + 1L));
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            {
                length += read;
                if (length > limit) throw TooLarge(limit);
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
            return ParseBody(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ExceptionError TooLarge(int limit) => new(400, $"Error calling the service: response larger than {limit} bytes");

    /// <summary>
    /// How rendered headers and answers are read: as deep as jq reads JSON (a deeper answer is text), and a key twice
    /// in one object makes it text too (a tree with duplicate keys fails whoever walks it).
    /// </summary>
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = Jq.JqProgram.MaxDepth, AllowDuplicateProperties = false };

    private static JsonNode? ParseBody(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return null;
        try
        {
            return JsonNode.Parse(bytes, documentOptions: ReadOptions);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(bytes));
        }
    }

    private static ExecutionResult Handle(HttpPlan plan, RemoteResponse response, SecretScrubber scrubber)
    {
        var responseObject = new JsonObject { ["status"] = response.Status, ["headers"] = response.Headers, ["body"] = response.Body };
        var logResult = new JsonObject { ["remote-status"] = response.Status };
        IReadOnlyList<JsonNode?> errorOutputs;
        try
        {
            errorOutputs = plan.ErrorHandle.Run(responseObject);
        }
        catch (JqRuntimeException e)
        {
            throw new RemoteError(response.Status, scrubber.Scrub(JsonValue.Create($"Error applying error_handle: {e.Message}")));
        }
        if (errorOutputs.Count > 1) throw new RemoteError(response.Status, scrubber.Scrub(JsonValue.Create("Error applying error_handle: more than one result")));
        var error = errorOutputs.Count == 1 ? errorOutputs[0] : null;
        if (error is not null && error.GetValueKind() != JsonValueKind.False)
            throw new RemoteError(response.Status, error.GetValueKind() == JsonValueKind.True ? null : scrubber.Scrub(JqProgram.Sanitize(error)));

        if (plan.ResponseHandle is not { } responseHandle) return new ExecutionResult(204, null, logResult);
        IReadOnlyList<JsonNode?> outputs;
        try
        {
            outputs = responseHandle.Run(responseObject);
        }
        catch (JqRuntimeException e)
        {
            throw scrubber.Scrub(new ExceptionError(400, $"Error applying response_handle: {e.Message}"));
        }
        return outputs.Count switch
        {
            0 => new ExecutionResult(204, null, logResult),
            1 => new ExecutionResult(200, scrubber.Scrub(JqProgram.Sanitize(outputs[0])), logResult),
            _ => throw scrubber.Scrub(new ExceptionError(400, $"Too many results returned: [{string.Join(",", outputs.Select(JqProgram.ToJson))}]")),
        };
    }

    private static string HeaderSafe(string value) =>
        value.All(c => c is >= ' ' and <= '~') ? value : Uri.EscapeDataString(value);

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static string Reason(HttpRequestException e) =>
        Find<SocketException>(e)?.Message ?? e.InnerException?.Message ?? e.Message;

    /// <summary>Replaces secret values in anything sent back (bodies, errors): a secret never leaves the server.</summary>
    private sealed class SecretScrubber(IEnumerable<string> values)
    {
        private const string Mask = "<redacted>";
        private readonly List<string> _values = values.Where(v => v.Length > 0).OrderByDescending(v => v.Length).ToList();

        public string Scrub(string text) => _values.Aggregate(text, (t, v) => t.Replace(v, Mask, StringComparison.Ordinal));

        public JsonNode? Scrub(JsonNode? node) => _values.Count == 0 || node is null ? node : node switch
        {
            JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(Scrub(p.Key), Scrub(p.Value?.DeepClone())))),
            JsonArray a => new JsonArray(a.Select(x => Scrub(x?.DeepClone())).ToArray()),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(Scrub(v.GetValue<string>())),
            _ => node,
        };

        public ExceptionError Scrub(ApiError e) => _values.Count == 0 ? (ExceptionError)e : new ExceptionError(e.Status, Scrub(e.Message));
    }
}
