using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.ActionApi;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Http;

/// <summary>HTTP actions against a real local server (private networks allowed on this app instance).</summary>
public sealed class HttpActionTests(EchoServer echo) : IClassFixture<EchoServer>, IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?>
    {
        ["Actions:HttpActions:AllowPrivateNetworks"] = "true",
        // Long enough that a busy machine never times out a quick echo; the slow endpoint waits far longer.
        ["Actions:HttpActions:TimeoutSeconds"] = "5",
        ["Actions:HttpActions:MaxResponseBytes"] = "100000",
        ["Actions:ExecutionLog:StoreParameterValues"] = "true",
    });

    public void Dispose() => _app.Dispose();

    private async Task<(ActionSetup Setup, int Id)> ActionAsync(string method, string url, string? body = null, string? headers = null,
        string? responseHandle = null, string? errorHandle = null, JsonArray? parameters = null, string name = "Call service")
    {
        var s = await ActionSetup.CreateAsync(_app);
        var template = new JsonObject { ["method"] = method, ["url"] = url, ["body"] = body, ["headers"] = headers };
        var action = new JsonObject
        {
            ["name"] = name, ["type"] = "http", ["model_id"] = s.Models["categories"], ["template"] = template,
            ["response_handle"] = responseHandle, ["error_handle"] = errorHandle, ["parameters"] = parameters,
        };
        return (s, (await s.Admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>());
    }

    private static JsonArray Params(params string[] ids) =>
        new(ids.Select(id => (JsonNode?)new JsonObject { ["id"] = id, ["type"] = "string/=" }).ToArray());

    private static Task<ApiClient.Response> Run(ActionSetup s, int id, JsonObject parameters) =>
        s.Admin.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = parameters }.ToJsonString());

    [Fact]
    public async Task Values_with_quotes_ampersands_hashes_newlines_and_unicode_arrive_intact()
    {
        var (s, id) = await ActionAsync("POST", echo.BaseUrl + "/echo/items?q={{q}}&n={{n}}", body: """{"text": "{{q}}", "count": {{n}}, "flag": {{f}}}""",
            headers: """{"X-Note": "{{q}}"}""", responseHandle: ".body", parameters: Params("q", "n", "f"));
        const string tricky = "a\"b & c # d\nline2 — ünïcødé ✓ {{secret:X}}";
        var response = (await Run(s, id, new JsonObject { ["q"] = tricky, ["n"] = 42, ["f"] = true })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("POST", response["method"]!.GetValue<string>());
        Assert.Equal(tricky, response["query"]!["q"]!.GetValue<string>());
        Assert.Equal("42", response["query"]!["n"]!.GetValue<string>());
        var sent = JsonNode.Parse(response["body"]!.GetValue<string>())!;
        Assert.Equal(tricky, sent["text"]!.GetValue<string>());
        Assert.Equal(42, sent["count"]!.GetValue<int>());
        Assert.True(sent["flag"]!.GetValue<bool>());
        Assert.Equal("application/json", response["headers"]!["content-type"]!.GetValue<string>());
        Assert.Equal("application/json", response["headers"]!["accept"]!.GetValue<string>());
        Assert.Equal("Call service", response["headers"]!["x-metabase-action"]!.GetValue<string>());
        // Headers cannot carry newlines or non-ASCII: those travel as JSON escapes, the rest as sent.
        var note = response["headers"]!["x-note"]!.GetValue<string>();
        Assert.StartsWith("a\"b & c # d\\nline2 \\u2014 \\u00fcn\\u00efc\\u00f8d\\u00e9 \\u2713 {{secret:X}}", note);
    }

    [Fact]
    public async Task Template_headers_override_the_defaults()
    {
        var (s, id) = await ActionAsync("PUT", echo.BaseUrl + "/echo/x", body: "plain", headers: """{"Content-Type": "text/plain", "Accept": "text/csv"}""", responseHandle: ".body.headers");
        var headers = (await Run(s, id, [])).Expect(HttpStatusCode.OK).Json;
        Assert.StartsWith("text/plain", headers["content-type"]!.GetValue<string>());
        Assert.Equal("text/csv", headers["accept"]!.GetValue<string>());
    }

    [Fact]
    public async Task Response_handle_outputs_decide_the_answer()
    {
        var (s, one) = await ActionAsync("GET", echo.BaseUrl + "/echo/a", responseHandle: "{status, m: .body.method}");
        Assert.Equal("""{"status":200,"m":"GET"}""", (await Run(s, one, [])).Expect(HttpStatusCode.OK).Body);
        var none = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/echo/a", "empty"));
        Assert.Equal(HttpStatusCode.NoContent, (await Run(s, none, [])).Status);
        var noHandle = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/echo/a", null));
        Assert.Equal(HttpStatusCode.NoContent, (await Run(s, noHandle, [])).Status);
        var many = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/echo/a", ".status, .body.method"));
        Assert.Equal("Too many results returned: [200,\"GET\"]", (await Run(s, many, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var failing = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/echo/a", ".body.method.x"));
        Assert.Equal("Error applying response_handle: Cannot index string with \"x\"", (await Run(s, failing, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var nullResult = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/echo/a", ".nothing"));
        Assert.Equal("null", (await Run(s, nullResult, [])).Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task An_edited_action_runs_its_new_template_and_handles_at_once()
    {
        var (s, id) = await ActionAsync("GET", echo.BaseUrl + "/echo/first", responseHandle: ".body.path");
        Assert.Equal("\"/echo/first\"", (await Run(s, id, [])).Expect(HttpStatusCode.OK).Body);
        var edit = new JsonObject
        {
            ["template"] = new JsonObject { ["method"] = "POST", ["url"] = echo.BaseUrl + "/echo/second" },
            ["response_handle"] = "{m: .body.method, p: .body.path}",
        };
        (await s.Admin.Put($"/api/action/{id}", edit.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.Equal("""{"m":"POST","p":"/echo/second"}""", (await Run(s, id, [])).Expect(HttpStatusCode.OK).Body);
        (await s.Admin.Put($"/api/action/{id}", new JsonObject { ["error_handle"] = "if .body.method == \"POST\" then \"no posts\" else false end" }.ToJsonString()))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("""{"remote-status":200,"message":"no posts"}""", (await Run(s, id, [])).Expect(HttpStatusCode.BadRequest).Body);
    }

    private static JsonObject HttpBody(ActionSetup s, string url, string? responseHandle, string? errorHandle = null) => new()
    {
        ["name"] = "h", ["type"] = "http", ["model_id"] = s.Models["categories"], ["response_handle"] = responseHandle, ["error_handle"] = errorHandle,
        ["template"] = new JsonObject { ["method"] = "GET", ["url"] = url },
    };

    [Fact]
    public async Task Remote_errors_follow_the_error_handle()
    {
        var (s, id) = await ActionAsync("GET", echo.BaseUrl + "/status/404", responseHandle: ".body");
        Assert.Equal("""{"remote-status":404}""", (await Run(s, id, [])).Expect(HttpStatusCode.BadRequest).Body);
        var withMessage = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/status/500", ".body", "if .status >= 400 then .body.error else false end"));
        Assert.Equal("""{"remote-status":500,"message":"boom"}""", (await Run(s, withMessage, [])).Expect(HttpStatusCode.BadRequest).Body);
        var tolerant = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/status/404", ".body.code", "false"));
        Assert.Equal("404", (await Run(s, tolerant, [])).Expect(HttpStatusCode.OK).Body);
        var log = (await s.Admin.Get($"/api/action/{id}/execution")).Json["data"]![0]!;
        Assert.Equal(404, log["result"]!["remote-status"]!.GetValue<int>());
        Assert.Equal("error", log["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_and_empty_bodies_become_text_and_null()
    {
        var (s, text) = await ActionAsync("GET", echo.BaseUrl + "/text", responseHandle: ".body");
        Assert.Equal("\"plain hello\"", (await Run(s, text, [])).Expect(HttpStatusCode.OK).Body);
        var empty = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/empty", "{body, status}"));
        Assert.Equal("""{"body":null,"status":204}""", (await Run(s, empty, [])).Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task Missing_parameters_and_bad_headers_are_400_before_any_call()
    {
        var (s, id) = await ActionAsync("GET", echo.BaseUrl + "/echo/{{id}}[[?page={{page}}]]", responseHandle: ".body.rawQuery", parameters: Params("id", "page"));
        Assert.Equal("Problem building request: Cannot call the service: missing required parameters: #{\"id\"}",
            (await Run(s, id, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        Assert.Equal("\"\"", (await Run(s, id, new JsonObject { ["id"] = 7 })).Expect(HttpStatusCode.OK).Body);
        Assert.Equal("\"?page=2\"", (await Run(s, id, new JsonObject { ["id"] = 7, ["page"] = 2 })).Expect(HttpStatusCode.OK).Body);
        var headers = await s.CreateAsync(new JsonObject
        {
            ["name"] = "h", ["type"] = "http", ["model_id"] = s.Models["categories"],
            ["template"] = new JsonObject { ["method"] = "GET", ["url"] = echo.BaseUrl + "/echo", ["headers"] = "[1, 2]" },
        });
        Assert.Equal("Problem building request: headers must be a JSON object", (await Run(s, headers, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var ftp = await s.CreateAsync(HttpBody(s, "ftp://127.0.0.1/file", null));
        Assert.StartsWith("Problem building request: destination not allowed", (await Run(s, ftp, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_parameter_sent_as_null_renders_as_empty_text()
    {
        var parameters = Params("id", "x", "page");
        parameters[1]!["default"] = "from-default";
        var (s, id) = await ActionAsync("POST", echo.BaseUrl + "/echo/{{id}}?x={{x}}[[&page={{page}}]]", body: """{"x": "{{x}}", "id": "{{id}}"}""",
            responseHandle: "{path: .body.path, q: .body.rawQuery, body: .body.body}", parameters: parameters);
        // A present null is a value (step 1: null → empty): not missing outside [[ ]], not replaced by a default.
        var answer = (await Run(s, id, new JsonObject { ["id"] = null, ["x"] = null })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("/echo/", answer["path"]!.GetValue<string>());
        Assert.Equal("?x=", answer["q"]!.GetValue<string>());
        Assert.Equal("""{"x": "", "id": ""}""", answer["body"]!.GetValue<string>());
        // Inside [[ ]] a present null keeps the block, rendered empty; an absent parameter drops it.
        answer = (await Run(s, id, new JsonObject { ["id"] = 1, ["x"] = "a", ["page"] = null })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("?x=a&page=", answer["q"]!.GetValue<string>());
        answer = (await Run(s, id, new JsonObject { ["id"] = 1 })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("?x=from-default", answer["q"]!.GetValue<string>());
        Assert.Equal("Problem building request: Cannot call the service: missing required parameters: #{\"id\"}",
            (await Run(s, id, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Slow_answers_time_out_and_huge_answers_are_cut_off()
    {
        var (s, slow) = await ActionAsync("GET", echo.BaseUrl + "/slow?ms=120000", responseHandle: ".body");
        Assert.Equal("Error calling the service: no answer within 5 s", (await Run(s, slow, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var huge = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/huge?bytes=200000", ".body"));
        Assert.Equal("Error calling the service: response larger than 100000 bytes", (await Run(s, huge, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var fine = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/huge?bytes=5000", ".body | length"));
        Assert.Equal("5000", (await Run(s, fine, [])).Expect(HttpStatusCode.OK).Body);

        // Without a declared length the limit holds while reading: the last byte allowed passes, one more does not.
        var atLimit = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/huge-chunked?bytes=100000", ".body | length"));
        Assert.Equal("99998", (await Run(s, atLimit, [])).Expect(HttpStatusCode.OK).Body);
        var overLimit = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/huge-chunked?bytes=100001", ".body | length"));
        Assert.Equal("Error calling the service: response larger than 100000 bytes", (await Run(s, overLimit, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var hugeChunked = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/huge-chunked?bytes=5000000", ".body | length"));
        Assert.Equal("Error calling the service: response larger than 100000 bytes", (await Run(s, hugeChunked, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_five_times()
    {
        var (s, ok) = await ActionAsync("GET", echo.BaseUrl + "/redirect?n=4", responseHandle: ".body.path");
        Assert.Equal("\"/echo/landed\"", (await Run(s, ok, [])).Expect(HttpStatusCode.OK).Body);
        var tooMany = await s.CreateAsync(HttpBody(s, echo.BaseUrl + "/redirect?n=5", ".body.path"));
        Assert.Equal("Error calling the service: more than 5 redirects", (await Run(s, tooMany, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Connection_failures_are_400_with_a_reason()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (s, id) = await ActionAsync("GET", $"http://127.0.0.1:{port}/nothing", responseHandle: ".body");
        Assert.StartsWith("Error calling the service: ", (await Run(s, id, [])).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
    }
}
