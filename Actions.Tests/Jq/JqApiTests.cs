using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Http;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Jq;

/// <summary>jq handles through the API: nesting refused as a validation 400, numbers answered in jq's text.</summary>
public sealed class JqApiTests(EchoServer echo) : IClassFixture<EchoServer>, IDisposable
{
    private const string HandleText = "nullable must be a valid json-query, something like '.item.title'";

    private readonly AppFactory _app = new(new Dictionary<string, string?>
    {
        ["Actions:HttpActions:AllowPrivateNetworks"] = "true",
    });

    public void Dispose() => _app.Dispose();

    private JsonObject HttpAction(ActionSetup s, string? responseHandle, string? errorHandle = null) => new()
    {
        ["name"] = "h", ["type"] = "http", ["model_id"] = s.Models["categories"], ["response_handle"] = responseHandle, ["error_handle"] = errorHandle,
        ["template"] = new JsonObject { ["method"] = "GET", ["url"] = echo.BaseUrl + "/echo/a" },
    };

    private static string Parens(int n) => new string('(', n) + "." + new string(')', n);

    private static void AssertHandleRefused(ApiClient.Response response, string key, string handle)
    {
        var errors = response.Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal(HandleText, errors["errors"]![key]!.GetValue<string>());
        Assert.Equal($"{HandleText}, received: {JsonValue.Create(handle).ToJsonString()}", errors["specific-errors"]![key]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(400_000)]
    public async Task A_deeply_nested_handle_is_a_validation_error_and_the_app_keeps_answering(int depth)
    {
        var s = await ActionSetup.CreateAsync(_app);
        var handle = Parens(depth);
        AssertHandleRefused(await s.Admin.Post("/api/action", HttpAction(s, handle).ToJsonString()), "response_handle", handle);
        AssertHandleRefused(await s.Admin.Post("/api/action", HttpAction(s, ".", handle).ToJsonString()), "error_handle", handle);
        var id = await s.CreateAsync(HttpAction(s, "."));
        AssertHandleRefused(await s.Admin.Put($"/api/action/{id}", new JsonObject { ["response_handle"] = handle }.ToJsonString()), "response_handle", handle);
        (await s.Admin.Get("/api/user/current")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_handle_nested_to_the_limit_is_saved_and_runs()
    {
        var s = await ActionSetup.CreateAsync(_app);
        // 256 levels: 255 arrays around .status, itself one level (an index of the input).
        var atLimit = new string('[', 255) + ".status" + new string(']', 255);
        var id = await s.CreateAsync(HttpAction(s, atLimit));
        var answer = (await s.Admin.Post($"/api/action/{id}/execute", """{"parameters": {}}""")).Expect(HttpStatusCode.OK);
        Assert.Equal(new string('[', 255) + "200" + new string(']', 255), answer.Body);
        var pastLimit = "[" + atLimit + "]";
        AssertHandleRefused(await s.Admin.Post("/api/action", HttpAction(s, pastLimit).ToJsonString()), "response_handle", pastLimit);
    }

    [Fact]
    public async Task Answers_print_numbers_as_jq_does()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(HttpAction(s, "[1e3, 3.0, 1.2345678901234567e19, .status * 1e17, 0.1 + 0.2, 1e-5, -0.0, 1e1000, 5e-324]"));
        Assert.Equal("[1000,3,12345678901234567000,2e+19,0.30000000000000004,1e-05,-0,1.7976931348623157e+308,5e-324]",
            (await s.Admin.Post($"/api/action/{id}/execute", """{"parameters": {}}""")).Expect(HttpStatusCode.OK).Body);
        var error = await s.CreateAsync(HttpAction(s, ".", "{n: (.status * 1e17), m: 1.5e-7}"));
        Assert.Equal("""{"remote-status":200,"message":{"n":2e+19,"m":1.5e-07}}""",
            (await s.Admin.Post($"/api/action/{error}/execute", """{"parameters": {}}""")).Expect(HttpStatusCode.BadRequest).Body);
    }
}
