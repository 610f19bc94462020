using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Actions.Tests.Hostile;

/// <summary>One answer that broke a rule, with what is needed to send the request again.</summary>
public sealed record HostileFailure(HostileRequest Request, int? Status, string Problem, string ResponseBody)
{
    public string Group => $"{Problem} | {Request.Method} /{Request.RouteKey}";

    public override string ToString() =>
        $"{Request.Role} {Request.Method} {HostileInputs.Short(Request.Path, 110)} [{Request.AuthLabel}; {Request.ContentType ?? "no content type"}{(Request.Chunked ? "; chunked" : "")}] " +
        $"({Request.What}) body={HostileInputs.Short(Request.BodyText, 90)} → {Status?.ToString() ?? "no answer"} {Problem}: {HostileInputs.Short(ResponseBody, 220)}";
}

/// <summary>
/// Sends requests to the app and checks every answer: no 5xx; no stack trace, exception name, server path,
/// SQL or database internals the request did not send itself; never the secret (nor a lower-cased, sliced or
/// exploded copy of it); the process stays up (health after each batch).
/// </summary>
public sealed class HostileRunner(HostileServer server, IReadOnlyCollection<string> allowedPaths)
{
    private const int BatchSize = 100;

    public List<HostileFailure> Failures { get; } = [];
    public int Sent { get; private set; }
    public Dictionary<int, int> StatusCounts { get; } = [];

    /// <summary>One line per request sent: its status and what it was (written beside the test binaries).</summary>
    public List<string> Log { get; } = [];

    public async Task RunAsync(IEnumerable<HostileRequest> requests)
    {
        var inBatch = 0;
        foreach (var request in requests)
        {
            await SendAsync(request);
            if (++inBatch == BatchSize)
            {
                inBatch = 0;
                await CheckHealthAsync(request);
            }
        }
    }

    /// <summary>Sends one request, checks its answer, and returns it (status null when nothing answered).</summary>
    public async Task<(int? Status, string Body)> SendAsync(HostileRequest request)
    {
        Sent++;
        string body;
        int status;
        try
        {
            (status, body) = await SendOnceAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            var died = await server.RecoverIfDeadAsync($"{request.Method} {HostileInputs.Short(request.Path, 80)} ({request.What})");
            try
            {
                // A pooled connection the server had just closed (after a 413, say) fails the next request on
                // it; a second try on a new connection tells that apart from a request the server drops.
                if (died) throw;
                (status, body) = await SendOnceAsync(request);
            }
            catch (Exception again) when (again is HttpRequestException or TaskCanceledException or IOException)
            {
                Log.Add($"--- {request.Role} {request.Method} {HostileInputs.Short(request.Path, 100)} ({HostileInputs.Short(request.What, 80)}) → {(died ? "process exited" : "no answer")}");
                Failures.Add(new HostileFailure(request, null, died ? "process exited" : "no answer (twice)", again.Message));
                return (null, "");
            }
        }
        catch (UriFormatException)
        {
            return (null, "");
        }
        StatusCounts[status] = StatusCounts.GetValueOrDefault(status) + 1;
        Log.Add($"{status} {request.Role} {request.Method} {HostileInputs.Short(request.Path, 100)} ({HostileInputs.Short(request.What, 80)}) → {HostileInputs.Short(body, 100)}");
        foreach (var problem in Problems(request, status, body, allowedPaths))
            Failures.Add(new HostileFailure(request, status, problem, body));
        return (status, body);
    }

    private async Task<(int Status, string Body)> SendOnceAsync(HostileRequest request)
    {
        using var message = Build(request);
        using var response = await server.Http.SendAsync(message);
        return ((int)response.StatusCode, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    public async Task CheckHealthAsync(HostileRequest? after)
    {
        var health = await server.HealthAsync();
        if (health == System.Net.HttpStatusCode.OK) return;
        var what = after is null ? "the run" : $"the batch ending with {after.Method} {HostileInputs.Short(after.Path, 80)} ({after.What})";
        var died = await server.RecoverIfDeadAsync(what);
        Failures.Add(new HostileFailure(after ?? new HostileRequest(Role.Anonymous, "GET", "/api/health", "health") { RouteKey = "api/health" }, health is null ? null : (int)health,
            died ? "process exited (seen by the health check)" : $"health check answered {health?.ToString() ?? "nothing"}", ""));
    }

    private static HttpRequestMessage Build(HostileRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Path, UriKind.Relative));
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        if (request.Body is { } bytes)
        {
            HttpContent content = request.Chunked ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
            if (request.ContentType is { } type && !content.Headers.TryAddWithoutValidation("Content-Type", type))
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
            if (request.Chunked) message.Headers.TransferEncodingChunked = true;
            message.Content = content;
        }
        return message;
    }

    private static readonly Regex WindowsPath = new(@"\b[A-Za-z]:\\\\[A-Za-z]", RegexOptions.Compiled);

    private static readonly Regex ExceptionName = new(@"\b[A-Za-z]*Exception\b", RegexOptions.Compiled);

    /// <summary>What is wrong with an answer; empty when nothing is.</summary>
    public static IEnumerable<string> Problems(HostileRequest request, int status, string body, IReadOnlyCollection<string> allowedPaths)
    {
        if (status >= 500) yield return "5xx";
        if (request.RouteKey.Length > 0 && IsStaticOrDocs(request.RouteKey)) yield break;
        var sent = request.Path + "\n" + request.BodyText + "\n" + string.Join("\n", request.Headers.Select(h => h.Value));
        bool Leaks(string marker) => body.Contains(marker, StringComparison.Ordinal) && !sent.Contains(marker, StringComparison.Ordinal);

        if (Leaks("   at ") || Leaks(".cs:line") || (ExceptionName.Match(body) is { Success: true } m && !sent.Contains(m.Value, StringComparison.Ordinal)))
            yield return "stack trace or exception name";

        var withoutAllowed = allowedPaths.Aggregate(body, (b, p) => b.Replace(p, "", StringComparison.Ordinal));
        if (new[] { "/work/", "/tmp/", "/root", "/home/", "/usr/share/dotnet" }.Any(p => withoutAllowed.Contains(p, StringComparison.Ordinal) && !sent.Contains(p, StringComparison.Ordinal))
            || WindowsPath.IsMatch(withoutAllowed))
            yield return "server file path";

        // SQL the request did not send (the read endpoints answer the SQL that ran: native_form).
        var readsEchoSql = request.RouteKey is "api/dataset" || request.RouteKey.EndsWith("/query", StringComparison.Ordinal);
        if (!readsEchoSql && (Leaks("SELECT ") || Leaks("INSERT INTO") || Leaks("DELETE FROM")))
            yield return "SQL text";
        // An authenticated run and its log carry the database's message (execution.md); nothing else does.
        var mayCarryDatabaseMessage = request.Role != Role.Anonymous && !request.Path.Contains("/public/", StringComparison.Ordinal)
            && (request.RouteKey.EndsWith("/execute", StringComparison.Ordinal) || request.RouteKey.Contains("execution", StringComparison.Ordinal)
                || request.RouteKey.StartsWith("api/database", StringComparison.Ordinal) || readsEchoSql);
        if (Leaks("Npgsql") || Leaks("MySqlConnector") || Leaks("Microsoft.Data.Sqlite") || Leaks("Microsoft.EntityFrameworkCore")
            || (!mayCarryDatabaseMessage && (Leaks("SQLite Error") || Leaks("SqliteException"))))
            yield return "database internals";

        if (CarriesSecret(body)) yield return "secret value";
    }

    private static bool IsStaticOrDocs(string routeKey) =>
        routeKey.StartsWith("api/docs", StringComparison.Ordinal) || routeKey.StartsWith("api/openapi", StringComparison.Ordinal)
        || routeKey.StartsWith("_", StringComparison.Ordinal) || Regex.IsMatch(routeKey, @"\.(js|css|map|ico|png|svg|woff2?|ttf|gz|br|txt)$");

    /// <summary>Any 10 characters of the secret, lower-cased, also with every character shifted by one (<c>map(. + 1)</c>).</summary>
    private static readonly string[] SecretWindows =
    [
        .. Windows(HostileWorld.SecretValue.ToLowerInvariant(), 10),
        .. Windows(new string(HostileWorld.SecretValue.Select(c => (char)(c + 1)).ToArray()).ToLowerInvariant(), 10),
    ];

    private static readonly string[] SecretCodePoints = Windows(HostileWorld.SecretValue, 6)
        .Select(w => string.Join(",", w.Select(c => ((int)c).ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();

    /// <summary>The secret, in any case, in part (any 10 characters of it), shifted, or as jq's <c>explode</c> code points.</summary>
    public static bool CarriesSecret(string text)
    {
        var lower = text.ToLowerInvariant();
        var compact = text.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        return SecretWindows.Any(w => lower.Contains(w, StringComparison.Ordinal)) || SecretCodePoints.Any(w => compact.Contains(w, StringComparison.Ordinal));
    }

    private static string[] Windows(string s, int length) => Enumerable.Range(0, s.Length - length + 1).Select(i => s.Substring(i, length)).ToArray();

    /// <summary>Every failure, grouped (problem, route) with a count, then one line per failing request.</summary>
    public static string Describe(IReadOnlyCollection<HostileFailure> failures, int sent)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{failures.Count} failing answers of {sent} requests. Distinct (problem | route): count, first example:");
        foreach (var group in failures.GroupBy(f => f.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine($"  {group.Key}: {group.Count()} × e.g. {group.First()}");
        sb.AppendLine("Every failing request:");
        foreach (var failure in failures) sb.AppendLine("  " + failure);
        return sb.ToString();
    }

    /// <summary>A body with no length known up front: sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
