using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Actions.Tests.Hostile;

/// <summary>
/// The hostile-input suite (issue 13): generated requests over every route the app maps, as anonymous, member
/// and superuser, with a fixed seed; the issue's defects as named cases; malformed framing on raw sockets. No
/// answer may be a 5xx or leak a stack trace, a server path, SQL or the secret, and the process must stay up.
/// </summary>
public sealed class HostileInputTests(GeneratedRequestsFixture fixture, ITestOutputHelper output) : IClassFixture<GeneratedRequestsFixture>
{
    [Fact]
    public Task Anonymous_requests_over_every_route() => RunRoleAsync(Role.Anonymous, "anonymous");

    [Fact]
    public Task Member_requests_over_every_route() => RunRoleAsync(Role.Member, "member");

    [Fact]
    public Task Superuser_requests_over_every_route() => RunRoleAsync(Role.Superuser, "superuser");

    private async Task RunRoleAsync(Role role, string worldName)
    {
        var world = fixture.Worlds[worldName];
        var requests = HostileInputs.Generate(fixture.Routes, world, role);
        var exitsBefore = fixture.Server.Exits.Count;
        var runner = HostileReport.Runner(fixture, role);
        await runner.RunAsync(requests);
        await runner.CheckHealthAsync(null);
        HostileReport.Write(output, runner, $"{role}", $"{fixture.Routes.Count} routes × methods");
        Assert.True(runner.Sent >= 700, $"only {runner.Sent} requests were generated for {role}");
        // The requests must reach the handlers, not only the authentication in front of them (a lost session
        // would turn the whole run into 401s and pass it).
        var answered = runner.StatusCounts.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);
        Assert.True(answered >= runner.Sent / 10, $"only {answered} of {runner.Sent} {role} requests were answered 2xx: the world's objects or credentials are not being reached");
        HostileReport.AssertNoFailures(fixture, runner, exitsBefore);
    }

    /// <summary>Framing an HTTP client will not produce, on a raw connection: every answer a 4xx (or a closed connection).</summary>
    [Fact]
    public async Task Malformed_framing_on_raw_sockets()
    {
        var w = fixture.Worlds["raw"];
        var failures = new List<string>();
        var targets = new (string Path, string? Session)[]
        {
            ("/api/session", null), ("/api/action", w.AdminSession), ($"/api/action/{w.QueryActionId}/execute", w.AdminSession),
            ($"/api/public/action/{w.QueryUuid}/execute", null), ("/api/permissions/group", w.AdminSession),
        };
        const string json = "{\"parameters\":{\"id\":1}}";
        // Requests that end before their body does are followed by the end of the stream (the label says "then EOF").
        var framings = new (string Label, string Headers, byte[] Body)[]
        {
            ("chunk size not hex", "Transfer-Encoding: chunked", Ascii($"zz\r\n{json}\r\n0\r\n\r\n")),
            ("chunk size 2^64-1", "Transfer-Encoding: chunked", Ascii($"FFFFFFFFFFFFFFFF\r\n{json}\r\n0\r\n\r\n")),
            ("chunk size negative", "Transfer-Encoding: chunked", Ascii($"-1\r\n{json}\r\n0\r\n\r\n")),
            ("chunk extension garbage", "Transfer-Encoding: chunked", Ascii($"{json.Length:x};a=\u0001\"\r\n{json}\r\n0\r\n\r\n")),
            ("chunk shorter than its size, then EOF", "Transfer-Encoding: chunked", Ascii($"100\r\n{json}")),
            ("no CRLF after chunk data", "Transfer-Encoding: chunked", Ascii($"{json.Length:x}\r\n{json}XX0\r\n\r\n")),
            ("no last chunk, then EOF", "Transfer-Encoding: chunked", Ascii($"{json.Length:x}\r\n{json}\r\n")),
            ("bare LF line ends", "Transfer-Encoding: chunked", Ascii($"{json.Length:x}\n{json}\n0\n\n")),
            ("chunked 2 MiB", "Transfer-Encoding: chunked", Ascii($"200000\r\n{new string(' ', 0x200000)}\r\n0\r\n\r\n")),
            ("Content-Length longer than the body, then EOF", "Content-Length: 1000", Ascii(json)),
            ("Content-Length and chunked", $"Content-Length: {json.Length}\r\nTransfer-Encoding: chunked", Ascii($"{json.Length:x}\r\n{json}\r\n0\r\n\r\n")),
            ("two Content-Lengths", $"Content-Length: {json.Length}\r\nContent-Length: 3", Ascii(json)),
            ("Content-Length negative", "Content-Length: -1", Ascii(json)),
            ("Content-Length not a number", "Content-Length: 1e3", Ascii(json)),
            ("gzip, chunked", "Transfer-Encoding: gzip, chunked", Ascii($"{json.Length:x}\r\n{json}\r\n0\r\n\r\n")),
            ("Content-Encoding gzip with plain body", $"Content-Encoding: gzip\r\nContent-Length: {json.Length}", Ascii(json)),
        };
        var sent = 0;
        foreach (var (path, session) in targets)
            foreach (var (label, headers, body) in framings)
            {
                var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n" +
                    (session is null ? "" : $"X-Metabase-Session: {session}\r\n") + headers + "\r\n\r\n";
                var (status, text) = await fixture.Server.SendRawAsync([.. Ascii(head), .. body], endStream: label.EndsWith("then EOF", StringComparison.Ordinal));
                sent++;
                if (status >= 500)
                    failures.Add($"POST {path} [{(session is null ? "anonymous" : "superuser")}] ({label}) → {status}: {HostileInputs.Short(text[Math.Max(0, text.IndexOf("\r\n\r\n", StringComparison.Ordinal))..], 200)}");
                if (await fixture.Server.RecoverIfDeadAsync($"raw POST {path} ({label})")) failures.Add($"POST {path} ({label}) → process exited");
            }
        // Odd request lines and headers.
        foreach (var raw in new[]
        {
            "GET /api/health%00 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /api/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/user/current HTTP/1.1\r\nHost: x\r\nX-Metabase-Session: \u00ff\u00fe\r\n\r\n", "GET http://evil/api/health HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/health HTTP/1.1\r\n\r\n", "GET /api/health HTTP/1.0\r\n\r\n", "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            $"GET /api/user/current HTTP/1.1\r\nHost: x\r\nX-Metabase-Session: {new string('a', 70 * 1024)}\r\n\r\n",
        })
        {
            var (status, text) = await fixture.Server.SendRawAsync(Encoding.Latin1.GetBytes(raw), endStream: false);
            sent++;
            if (status >= 500) failures.Add($"{HostileInputs.Short(raw, 80)} → {status}: {HostileInputs.Short(text, 200)}");
        }
        var health = await fixture.Server.HealthAsync();
        output.WriteLine($"{sent} raw requests; {failures.Count} failures");
        Assert.True(failures.Count == 0 && health == System.Net.HttpStatusCode.OK,
            $"{failures.Count} of {sent} raw requests failed (health after: {health}):\n" + string.Join("\n", failures));
    }

    private static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);
}

/// <summary>Issue 13's defects as named requests, on an app of their own (run beside the generated requests).</summary>
public sealed class HostileNamedCaseTests(NamedCasesFixture fixture, ITestOutputHelper output) : IClassFixture<NamedCasesFixture>
{
    /// <summary>The defects issue 13 lists, reproduced exactly, so they are in every run whatever the generator picks.</summary>
    [Fact]
    public async Task Named_defect_cases_from_issue_13()
    {
        var w = fixture.Worlds["cases"];
        var exitsBefore = fixture.Server.Exits.Count;
        var runner = HostileReport.Runner(fixture, Role.Superuser);
        var cases = new NamedCases(w, runner, fixture);
        await cases.DeepJqAndTemplatesAsync();
        await cases.DuplicateKeysAndLoneSurrogatesAsync();
        await cases.DeepStoredJsonAsync();
        await cases.StoredShapesAsync();
        await cases.PublicUuidSpellingsAsync();
        await cases.SecretsAsync();
        await cases.DeletedSqliteTargetAsync();
        await runner.CheckHealthAsync(null);
        HostileReport.Write(output, runner, "named-cases", "issue 13's cases");
        Assert.True(runner.Sent >= 100, $"only {runner.Sent} named requests");
        HostileReport.AssertNoFailures(fixture, runner, exitsBefore);
    }
}

/// <summary>The runner for a role, the report written beside the binaries, and the final assertion.</summary>
public static class HostileReport
{
    public static HostileRunner Runner(HostileFixture fixture, Role role) => new(fixture.Server, role == Role.Superuser ? fixture.TargetPaths : []);

    public static void Write(ITestOutputHelper output, HostileRunner runner, string name, string what)
    {
        output.WriteLine($"{name} ({what}): {runner.Sent} requests; statuses {string.Join(", ", runner.StatusCounts.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, $"hostile-requests-{name}.txt"), runner.Log);
        var failures = Path.Combine(AppContext.BaseDirectory, $"hostile-failures-{name}.txt");
        File.Delete(failures);
        if (runner.Failures.Count == 0) return;
        var text = HostileRunner.Describe(runner.Failures, runner.Sent);
        output.WriteLine(text);
        File.WriteAllText(failures, text);
    }

    public static void AssertNoFailures(HostileFixture fixture, HostileRunner runner, int exitsBefore)
    {
        var exits = fixture.Server.Exits.Skip(exitsBefore).ToList();
        Assert.True(runner.Failures.Count == 0 && exits.Count == 0,
            HostileRunner.Describe(runner.Failures, runner.Sent) + (exits.Count > 0 ? "Process exits:\n" + string.Join("\n", exits) : ""));
        Assert.False(HostileRunner.CarriesSecret(fixture.Server.AllOutput.ToString()), "the app's log carries the secret value");
    }
}
