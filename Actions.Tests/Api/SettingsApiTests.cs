using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

public sealed class SettingsApiTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Settings_list_get_and_put_round_trip()
    {
        var admin = await Seeded.AdminAsync(_app);
        var list = (await admin.Get("/api/setting")).Expect(HttpStatusCode.OK).Json.AsArray();
        var sharing = list.Single(s => s!["key"]!.GetValue<string>() == "enable-public-sharing")!;
        Assert.False(sharing["value"]!.GetValue<bool>());
        Assert.False(sharing["default"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(sharing["description"]!.GetValue<string>()));

        Assert.Equal("false", (await admin.Get("/api/setting/enable-public-sharing")).Expect(HttpStatusCode.OK).Body);
        var put = (await admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        Assert.Equal("", put.Body);
        Assert.Equal("true", (await admin.Get("/api/setting/enable-public-sharing")).Body);

        (await admin.Put("/api/setting/site-url", new { value = "https://actions.example.com/" })).Expect(HttpStatusCode.NoContent);
        Assert.Equal("\"https://actions.example.com\"", (await admin.Get("/api/setting/site-url")).Body);
        (await admin.Put("/api/setting/site-name", new { value = "Ops tools" })).Expect(HttpStatusCode.NoContent);
        Assert.Equal("\"Ops tools\"", (await admin.Get("/api/setting/site-name")).Body);
    }

    [Fact]
    public async Task Unknown_key_is_404_and_wrong_type_is_400_keeping_the_old_value()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Get("/api/setting/no-such-setting")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Put("/api/setting/no-such-setting", new { value = 1 })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Put("/api/setting/enable-public-sharing", new { value = "yes" })).Expect(HttpStatusCode.BadRequest);
        (await admin.Put("/api/setting/site-url", new { value = "not a url" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("false", (await admin.Get("/api/setting/enable-public-sharing")).Body);
    }

    [Fact]
    public async Task Settings_survive_a_restart_on_the_same_data_dir()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        // A restart: the first app stops (a SQLite store serves one process at a time), another starts on its data.
        var dataDir = _app.DataDir;
        _app.Dispose();
        using var second = new AppFactory(new Dictionary<string, string?>(), dataDir);
        var token = (await second.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword })).Json["id"]!.GetValue<string>();
        Assert.Equal("true", (await second.Api(token).Get("/api/setting/enable-public-sharing")).Body);
    }
}
