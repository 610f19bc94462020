using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Actions.Tests.Hostile;

/// <summary>An app whose clock stands still, so that a sliding window never slides during a test.</summary>
public sealed class FrozenClockAppFactory : AppFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>Issue 13 defect 4: the per-link limit counts a link however its uuid is spelled.</summary>
public sealed class PublicLimitSpellingTests : IDisposable
{
    private readonly FrozenClockAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Per_link_limit_is_not_bypassed_by_spelling_the_uuid_differently()
    {
        var s = await ActionSetup.CreateAsync(_app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var anonymous = _app.Api();
        var body = new JsonObject { ["parameters"] = new JsonObject { ["id"] = 1 } }.ToJsonString();

        // The default limit (10 a second) used up on the canonical spelling; the clock does not move.
        for (var i = 0; i < 10; i++) (await anonymous.Post($"/api/public/action/{uuid}/execute", body)).Expect(HttpStatusCode.OK);
        (await anonymous.Post($"/api/public/action/{uuid}/execute", body)).Expect(HttpStatusCode.TooManyRequests);

        // Every other spelling of the same uuid is limited too, or not a link at all (404): never run.
        var spellings = new[]
        {
            uuid.Replace("-", "", StringComparison.Ordinal), "%7B" + uuid + "%7D", uuid.ToUpperInvariant(), "%20" + uuid + "%20",
            uuid.Replace("-", "%2D", StringComparison.Ordinal), "%7B" + uuid.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal) + "%7D",
            "(" + uuid + ")", uuid + "%20",
        };
        var bypasses = new List<string>();
        foreach (var spelled in spellings)
        {
            var response = await anonymous.Post($"/api/public/action/{spelled}/execute", body);
            if (response.Status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound))
                bypasses.Add($"POST /api/public/action/{spelled}/execute → {(int)response.Status} {response.Body}");
        }
        Assert.True(bypasses.Count == 0, "the per-link limit was bypassed by these spellings:\n" + string.Join("\n", bypasses));
    }
}
