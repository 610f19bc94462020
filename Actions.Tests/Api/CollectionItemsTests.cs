using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary><c>GET /api/collection/:id/items</c>: what a collection holds, as far as the caller may read.</summary>
public sealed class CollectionItemsTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static List<string> Items(ApiClient.Response r) =>
        [.. r.Expect(HttpStatusCode.OK).Json["data"]!.AsArray().Select(i => $"{i!["model"]}:{i["name"]}")];

    [Fact]
    public async Task A_collection_lists_child_collections_cards_models_and_actions_a_member_may_read()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var admin = s.Admin;
        var (member, _) = await Seeded.UserAsync(admin);
        var finance = (await admin.Post("/api/collection", new { name = "finance" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var hidden = (await admin.Post("/api/collection", new { name = "Hidden", parent_id = finance })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        (await admin.Post("/api/collection", new { name = "Archive", parent_id = finance })).Expect(HttpStatusCode.OK);
        var tableId = (await admin.Get($"/api/database/{s.DatabaseId}/metadata")).Json["tables"]![0]!["id"]!.GetValue<int>();
        var model = Api.ModelsApiTests.Model("Venues model", s.DatabaseId, tableId, finance);
        var modelId = (await admin.Post("/api/card", model.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var question = Api.ModelsApiTests.Model("a question", s.DatabaseId, tableId, finance);
        question["type"] = "question";
        (await admin.Post("/api/card", question.ToJsonString())).Expect(HttpStatusCode.OK);
        var action = s.FixtureAction();
        action["model_id"] = modelId;
        action["name"] = "Rename";
        await s.CreateAsync(action);
        action["name"] = "Old rename";
        var archived = await s.CreateAsync(action);
        (await admin.Put($"/api/action/{archived}", new { archived = true })).Expect(HttpStatusCode.OK);
        // All Users (group 1) loses the hidden child collection.
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        (await admin.Put("/api/collection/graph", new JsonObject
        {
            ["revision"] = revision, ["groups"] = new JsonObject { ["1"] = new JsonObject { [hidden.ToString()] = "none" } },
        }.ToJsonString())).Expect(HttpStatusCode.OK);

        Assert.Equal(["collection:Archive", "collection:Hidden", "card:a question", "action:Rename", "dataset:Venues model"],
            Items(await admin.Get($"/api/collection/{finance}/items")));
        var forMember = await member.Get($"/api/collection/{finance}/items");
        Assert.Equal(["collection:Archive", "card:a question", "action:Rename", "dataset:Venues model"], Items(forMember));
        Assert.Equal(4, forMember.Json["total"]!.GetValue<int>());
        Assert.Equal(["collection", "card", "dataset", "action"], forMember.Json["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(finance, forMember.Json["data"]![0]!["collection_id"]!.GetValue<int>());
        Assert.Equal(["action:Rename", "dataset:Venues model"], Items(await member.Get($"/api/collection/{finance}/items?models=dataset&models=action")));
        Assert.Equal(["dataset:Venues model"], Items(await member.Get($"/api/collection/{finance}/items?models=dataset")));
        Assert.Equal(["action:Old rename"], Items(await admin.Get($"/api/collection/{finance}/items?archived=true")));
        // Root holds the setup's models and the new collection.
        Assert.Contains("collection:finance", Items(await member.Get("/api/collection/root/items")));
        Assert.Null((await member.Get("/api/collection/root/items")).Json["data"]![0]!["collection_id"]);

        (await member.Get($"/api/collection/{hidden}/items")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        (await member.Get("/api/collection/99999/items")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await member.Get($"/api/collection/{finance}/items?models=table")).Expect(HttpStatusCode.BadRequest);
        (await member.Get($"/api/collection/{finance}/items?archived=maybe")).Expect(HttpStatusCode.BadRequest);
    }
}
