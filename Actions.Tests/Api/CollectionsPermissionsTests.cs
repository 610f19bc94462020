using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

public sealed class CollectionsPermissionsTests : IDisposable
{
    private const string StaleText = "Looks like someone else edited the permissions and your data is out of date. Please fetch new data and try again.";
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static async Task<int> CollectionAsync(ApiClient client, string name, int? parentId = null) =>
        (await client.Post("/api/collection", new { name, parent_id = parentId })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    private static async Task SetAsync(ApiClient admin, int group, string collection, string level)
    {
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        var body = new JsonObject { ["revision"] = revision, ["groups"] = new JsonObject { [group.ToString()] = new JsonObject { [collection] = level } } };
        (await admin.Put("/api/collection/graph", body.ToJsonString())).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Root_comes_first_and_all_users_may_write_it_by_default()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (user, _) = await Seeded.UserAsync(admin);
        var list = (await user.Get("/api/collection")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal("root", list[0]!["id"]!.GetValue<string>());
        Assert.True(list[0]!["can_write"]!.GetValue<bool>());
        var graph = (await admin.Get("/api/collection/graph")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("write", graph["groups"]!["1"]!["root"]!.GetValue<string>());
    }

    [Fact]
    public async Task Collections_are_listed_by_name_case_insensitively_whatever_the_store()
    {
        var admin = await Seeded.AdminAsync(_app);
        foreach (var name in new[] { "banana", "Cherry", "apple", "Apple" }) await CollectionAsync(admin, name);
        var names = (await admin.Get("/api/collection")).Expect(HttpStatusCode.OK).Json.AsArray().Skip(1).Select(c => c!["name"]!.GetValue<string>());
        // Case-insensitive, then ordinal for names that differ only in case: the same on SQLite and PostgreSQL.
        Assert.Equal(["Apple", "apple", "banana", "Cherry"], names);
    }

    [Fact]
    public async Task New_collection_copies_its_parents_permissions_then_stands_alone()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var parent = await CollectionAsync(admin, "Finance");
        await SetAsync(admin, group, parent.ToString(), "read");
        var child = await CollectionAsync(admin, "Invoices", parent);

        var graph = (await admin.Get("/api/collection/graph")).Json["groups"]!;
        Assert.Equal("read", graph[group.ToString()]![child.ToString()]!.GetValue<string>());
        Assert.Equal("write", graph["1"]![child.ToString()]!.GetValue<string>());

        await SetAsync(admin, group, parent.ToString(), "none");
        graph = (await admin.Get("/api/collection/graph")).Json["groups"]!;
        Assert.Equal("read", graph[group.ToString()]![child.ToString()]!.GetValue<string>());

        var created = (await admin.Get($"/api/collection/{child}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal($"/{parent}/", created["location"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_write_and_none_decide_what_a_member_sees_and_may_change()
    {
        var admin = await Seeded.AdminAsync(_app);
        var readers = await Seeded.GroupAsync(admin);
        var writers = await Seeded.GroupAsync(admin);
        var collection = await CollectionAsync(admin, "Ops");
        // All Users loses its default write on the new collection; each group gets its own level.
        await SetAsync(admin, 1, collection.ToString(), "none");
        await SetAsync(admin, readers, collection.ToString(), "read");
        await SetAsync(admin, writers, collection.ToString(), "write");

        var (reader, _) = await Seeded.UserAsync(admin, null, readers);
        var (writer, _) = await Seeded.UserAsync(admin, null, writers);
        var (nobody, _) = await Seeded.UserAsync(admin);

        var seenByReader = (await reader.Get("/api/collection")).Json.AsArray().Single(c => c!["id"]!.ToJsonString() == collection.ToString())!;
        Assert.False(seenByReader["can_write"]!.GetValue<bool>());
        (await reader.Get($"/api/collection/{collection}")).Expect(HttpStatusCode.OK);
        (await reader.Put($"/api/collection/{collection}", new { name = "x" })).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await reader.Post("/api/collection", new { name = "child", parent_id = collection })).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");

        var seenByWriter = (await writer.Get("/api/collection")).Json.AsArray().Single(c => c!["id"]!.ToJsonString() == collection.ToString())!;
        Assert.True(seenByWriter["can_write"]!.GetValue<bool>());
        Assert.Equal("Ops 2", (await writer.Put($"/api/collection/{collection}", new { name = "Ops 2" })).Expect(HttpStatusCode.OK).Json["name"]!.GetValue<string>());
        await CollectionAsync(writer, "Ops child", collection);

        Assert.DoesNotContain((await nobody.Get("/api/collection")).Json.AsArray(), c => c!["id"]!.ToJsonString() == collection.ToString());
        (await nobody.Get($"/api/collection/{collection}")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
    }

    [Fact]
    public async Task Graph_put_with_a_stale_revision_is_409_and_changes_nothing()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var before = (await admin.Get("/api/collection/graph")).Json;
        var revision = before["revision"]!.GetValue<int>();
        await SetAsync(admin, group, "root", "read");

        var stale = new JsonObject { ["revision"] = revision, ["groups"] = new JsonObject { [group.ToString()] = new JsonObject { ["root"] = "write" } } };
        (await admin.Put("/api/collection/graph", stale.ToJsonString())).ExpectPlain(HttpStatusCode.Conflict, StaleText);
        var after = (await admin.Get("/api/collection/graph")).Json;
        Assert.Equal(revision + 1, after["revision"]!.GetValue<int>());
        Assert.Equal("read", after["groups"]![group.ToString()]!["root"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_graph_puts_on_one_revision_let_exactly_one_through()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var collection = await CollectionAsync(admin, "Shared");
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var body = new JsonObject
            {
                ["revision"] = revision,
                ["groups"] = new JsonObject { [group.ToString()] = new JsonObject { [collection.ToString()] = i % 2 == 0 ? "read" : "write" } },
            };
            return (await admin.Put("/api/collection/graph", body.ToJsonString())).Status;
        })));
        // Each PUT checks the revision and writes in one transaction: the first to commit wins, the rest are stale.
        Assert.Single(statuses, HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(revision + 1, (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>());
    }

    [Fact]
    public async Task Graph_put_rejects_unknown_levels_without_a_half_written_graph()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var body = new JsonObject
        {
            ["groups"] = new JsonObject { [group.ToString()] = new JsonObject { ["root"] = "read" }, ["1"] = new JsonObject { ["root"] = "admin" } },
        };
        (await admin.Put("/api/collection/graph", body.ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("none", (await admin.Get("/api/collection/graph")).Json["groups"]![group.ToString()]!["root"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_key_gets_the_permissions_of_its_group()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var collection = await CollectionAsync(admin, "Scripts only");
        await SetAsync(admin, 1, collection.ToString(), "none");
        await SetAsync(admin, group, collection.ToString(), "write");
        var inGroup = _app.Api().WithApiKey((await Seeded.ApiKeyAsync(admin, group))["unmasked_key"]!.GetValue<string>());
        var allUsers = _app.Api().WithApiKey((await Seeded.ApiKeyAsync(admin, 1))["unmasked_key"]!.GetValue<string>());
        (await inGroup.Put($"/api/collection/{collection}", new { name = "renamed by key" })).Expect(HttpStatusCode.OK);
        (await allUsers.Put($"/api/collection/{collection}", new { name = "nope" })).Expect(HttpStatusCode.Forbidden);
    }
}
