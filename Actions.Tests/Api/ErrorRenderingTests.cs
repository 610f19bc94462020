using System.Net;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actions.Tests.Api;

/// <summary>A controller that only tests add: it fails the way a bug would.</summary>
[Route("api/test-only")]
public sealed class CrashController : ControllerBase
{
    [HttpGet("crash")]
    public IActionResult Crash() => throw new InvalidOperationException("internal detail: Data Source=/secret/path.db");
}

public sealed class CrashingAppFactory : AppFactory
{
    public LogCollector Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddControllers().AddApplicationPart(typeof(CrashController).Assembly));
        builder.ConfigureLogging(l => l.AddProvider(Logs));
    }
}

public sealed class ErrorRenderingTests : IDisposable
{
    private readonly CrashingAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Malformed_json_is_a_plain_400_naming_the_problem()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = await admin.Send(HttpMethod.Post, "/api/permissions/group", null, "{\"name\": ");
        response.Expect(HttpStatusCode.BadRequest);
        Assert.StartsWith("Invalid JSON: ", response.Body);
        Assert.Equal("text/plain", response.ContentType?.MediaType);
        Assert.Equal(2, (await admin.Get("/api/permissions/group")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Body_over_one_mebibyte_is_413_and_nothing_is_written()
    {
        var admin = await Seeded.AdminAsync(_app);
        var huge = "{\"name\": \"" + new string('x', 1024 * 1024) + "\"}";
        (await admin.Send(HttpMethod.Post, "/api/permissions/group", null, huge)).ExpectPlain(HttpStatusCode.RequestEntityTooLarge, "Request body too large.");
        Assert.Equal(2, (await admin.Get("/api/permissions/group")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Body_over_one_mebibyte_without_content_length_is_413_too()
    {
        var admin = await Seeded.AdminAsync(_app);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/permissions/group");
        request.Headers.Add("X-Metabase-Session", admin.Session);
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"name\": \"" + new string('y', 1024 * 1024 + 10) + "\"}");
        request.Content = new StreamContent(new NonSeekableStream(bytes));
        request.Headers.TransferEncodingChunked = true;
        using var response = await admin.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Request body too large.", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/user/abc")]
    [InlineData("/api/user/-1")]
    [InlineData("/api/user/1.5")]
    [InlineData("/api/no-such-endpoint")]
    public async Task Non_digit_ids_and_unknown_routes_are_plain_404(string path)
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Get(path)).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Zero_id_is_a_validation_error_under_the_route_key()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = (await admin.Get("/api/user/0")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"errors":{"id":"value must be an integer greater than zero."},"specific-errors":{"id":["value must be an integer greater than zero., received: 0"]}}""", response.Body);
    }

    [Fact]
    public async Task Validation_errors_name_every_failing_key_with_received_values()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = (await admin.Post("/api/user", new { email = 5, first_name = new string('n', 255) })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("value must be a non-blank string., received: 5", response["specific-errors"]!["email"]![0]!.GetValue<string>());
        Assert.Equal("string with length <= 254", response["errors"]!["first_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unexpected_bug_is_500_with_correlation_id_logged_once_and_no_internals_in_the_body()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = (await admin.Get("/api/test-only/crash")).Expect(HttpStatusCode.InternalServerError);
        var correlationId = response.Json["correlation-id"]!.GetValue<string>();
        Assert.Equal(correlationId, response.Json["data"]!["correlation-id"]!.GetValue<string>());
        Assert.DoesNotContain("secret", response.Body);
        Assert.DoesNotContain("Data Source", response.Body);
        Assert.DoesNotContain(" at ", response.Body);
        var errors = _app.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.Single(errors);
        Assert.Contains(correlationId, errors[0].Message);
    }

    [Fact]
    public async Task Tokens_and_passwords_never_reach_the_log()
    {
        var admin = await Seeded.AdminAsync(_app);
        var key = (await Seeded.ApiKeyAsync(admin, 1))["unmasked_key"]!.GetValue<string>();
        await _app.Api().WithApiKey(key).Get("/api/user/current");
        await _app.Api().Post("/api/session", new { username = "admin@example.com", password = "wrong-Passw0rd" });
        var log = _app.Logs.AllText;
        Assert.DoesNotContain(admin.Session!, log);
        Assert.DoesNotContain(key, log);
        Assert.DoesNotContain(Seeded.AdminPassword, log);
        Assert.DoesNotContain("wrong-Passw0rd", log);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_anonymous()
    {
        var doc = (await _app.Api().Get("/api/openapi/v1.json")).Expect(HttpStatusCode.OK).Json;
        Assert.NotNull(doc["paths"]!["/api/session"]);
        Assert.NotNull(doc["paths"]!["/api/collection/graph"]);
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });
        var page = await client.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
