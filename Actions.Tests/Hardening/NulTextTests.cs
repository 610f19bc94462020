using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hardening;

/// <summary>
/// U+0000 in text: SQLite stores it, PostgreSQL text cannot hold it. On either store such input is saved or
/// refused with the spec's error, never a 500, and a run carrying it still gets its log entry.
/// </summary>
public sealed class NulTextTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Names_and_run_values_with_a_nul_character_never_fail_the_store()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var action = s.FixtureAction();
        action["name"] = "a\u0000b";
        (await s.Admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK);
        (await s.Admin.Post("/api/collection", new { name = "c\u0000d" })).Expect(HttpStatusCode.OK);
        (await _app.Api().Post("/api/session", new { username = "nobody\u0000@example.com", password = "Passw0rd-long!" })).Expect(HttpStatusCode.Unauthorized);

        var id = await s.CreateAsync(s.FixtureAction());
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = 1, name = "x\u0000y" } })).Expect(HttpStatusCode.OK);
        // Refused, with the value in its error text: its entry is stored all the same.
        (await s.Admin.Post($"/api/action/{id}/execute", new { parameters = new { id = "x\u0000y" } })).Expect(HttpStatusCode.BadRequest);
        var log = (await s.Admin.Get($"/api/action/{id}/execution")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, log["total"]!.GetValue<int>());
        Assert.Equal(["error", "success"], log["data"]!.AsArray().Select(e => e!["status"]!.GetValue<string>()));
    }
}
