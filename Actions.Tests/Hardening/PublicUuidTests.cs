using System.Net;
using Actions.Data.Execution;
using Actions.Data.Hosting;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Actions.Tests.Hardening;

/// <summary>The public limits on a clock that stands still, so that a window never slides during a test.</summary>
public sealed class StoppedClockPublicFactory() : AppFactory(new Dictionary<string, string?>
{
    ["Actions:PublicSharing:PerLinkPerSecond"] = "3",
    ["Actions:PublicSharing:PerClientPerMinute"] = "1000",
})
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var stopped = new FakeTimeProvider(DateTimeOffset.UtcNow);
        builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton(sp =>
            new PublicLinkThrottle(sp.GetRequiredService<IOptions<ActionsOptions>>(), sp.GetRequiredService<ThrottleStore>(), stopped))));
    }
}

/// <summary>A public link has one spelling: the per-link limit cannot be split over others.</summary>
public sealed class PublicUuidTests : IDisposable
{
    private readonly StoppedClockPublicFactory _app = new();

    public void Dispose() => _app.Dispose();

    public static IEnumerable<string> OtherSpellings(string uuid) =>
    [
        uuid.Replace("-", "", StringComparison.Ordinal),
        "{" + uuid + "}",
        "(" + uuid + ")",
        uuid.ToUpperInvariant(),
        " " + uuid,
        uuid + "%20",
        uuid + "%0A",
        Uri.EscapeDataString(" " + uuid),
        "0x" + uuid,
    ];

    [Fact]
    public async Task Only_the_canonical_spelling_names_a_link_and_the_limit_counts_it_once()
    {
        var s = await ActionSetup.CreateAsync(_app);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.FixtureAction());
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var anonymous = _app.Api();
        (await anonymous.Get($"/api/public/action/{uuid}")).Expect(HttpStatusCode.OK);
        for (var i = 0; i < 3; i++)
            (await anonymous.Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK);
        foreach (var spelling in OtherSpellings(uuid))
        {
            (await anonymous.Post($"/api/public/action/{spelling}/execute", new { parameters = new { id = 2 } })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
            var form = await anonymous.Get($"/api/public/action/{spelling}");
            Assert.True(form.Status == HttpStatusCode.NotFound, $"[{spelling}] {form.Status}");
            form.ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        }
        (await anonymous.Post($"/api/public/action/{uuid}/execute", new { parameters = new { id = 2 } })).Expect(HttpStatusCode.TooManyRequests);
        Assert.Equal("American", s.Scalar("SELECT name FROM categories WHERE id = 2"));
    }
}
