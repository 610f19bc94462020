using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary><c>GET /api/search</c>: a case-insensitive name match over what the caller may see.</summary>
public sealed class SearchTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static List<string> Found(ApiClient.Response r) =>
        [.. r.Expect(HttpStatusCode.OK).Json["data"]!.AsArray().Select(i => $"{i!["model"]}:{i["name"]}")];

    [Fact]
    public async Task Finds_by_name_what_the_caller_may_see()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var (member, _) = await Seeded.UserAsync(s.Admin);
        var closed = (await s.Admin.Post("/api/collection", new { name = "Closed VENUES" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var revision = (await s.Admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        (await s.Admin.Put("/api/collection/graph", new JsonObject
        {
            ["revision"] = revision, ["groups"] = new JsonObject { ["1"] = new JsonObject { [closed.ToString()] = "none" } },
        }.ToJsonString())).Expect(HttpStatusCode.OK);
        var (tableId, _) = await TargetDatabases.TableAsync(s.Admin, s.DatabaseId, "venues");
        (await s.Admin.Post("/api/card", Api.ModelsApiTests.Model("Secret venues", s.DatabaseId, tableId, closed).ToJsonString())).Expect(HttpStatusCode.OK);
        var action = s.FixtureAction();
        action["model_id"] = s.Models["venues"];
        action["name"] = "Close venue";
        await s.CreateAsync(action);

        // By name ignoring case, then as written.
        Assert.Equal(["action:Close venue", "collection:Closed VENUES", "dataset:Secret venues", "table:Venues", "dataset:venues"],
            Found(await s.Admin.Get("/api/search?q=VENUE")));
        var forMember = await member.Get("/api/search?q=venue");
        Assert.Equal(["action:Close venue", "table:Venues", "dataset:venues"], Found(forMember));
        Assert.Equal(3, forMember.Json["total"]!.GetValue<int>());
        Assert.Equal(["dataset", "action", "table"], forMember.Json["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        var model = forMember.Json["data"]![2]!;
        Assert.Equal("root", model["collection"]!["id"]!.GetValue<string>());
        Assert.Equal(s.DatabaseId, model["database_id"]!.GetValue<int>());
        Assert.Equal(tableId, model["table_id"]!.GetValue<int>());
        Assert.Equal(["table:Venues"], Found(await member.Get("/api/search?q=venue&models=table")));
        Assert.Equal(["action:Close venue", "table:Venues"], Found(await member.Get("/api/search?q=venue&models=table,action")));
        (await member.Get("/api/search?q=venue&models=dashboard")).Expect(HttpStatusCode.BadRequest);
        (await _app.Api().Get("/api/search?q=venue")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }
}
