using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>"Create basic actions" on a model makes the create, update and delete actions it lacks, never a second one of a kind.</summary>
public sealed class BasicActionsTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static string[] Kinds(JsonNode created) => created.AsArray().Select(a => a!["kind"]!.GetValue<string>()).ToArray();

    private static async Task<string[]> KindsOnModelAsync(ActionSetup s, int model) =>
        (await s.Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray()
        .Where(a => a!["model_id"]!.GetValue<int>() == model && a["type"]!.GetValue<string>() == "implicit")
        .Select(a => a!["kind"]!.GetValue<string>()).Order().ToArray();

    [Fact]
    public async Task Only_the_missing_kinds_are_created()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var model = s.Models["categories"];
        var first = (await s.Admin.Post($"/api/model/{model}/implicit-actions")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["row/create", "row/update", "row/delete"], Kinds(first));

        // Asked again: nothing new.
        Assert.Empty(Kinds((await s.Admin.Post($"/api/model/{model}/implicit-actions")).Expect(HttpStatusCode.OK).Json));

        // The update action deleted: only it comes back.
        var update = first.AsArray().Single(a => a!["kind"]!.GetValue<string>() == "row/update")!["id"]!.GetValue<int>();
        (await s.Admin.Delete($"/api/action/{update}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(["row/update"], Kinds((await s.Admin.Post($"/api/model/{model}/implicit-actions")).Expect(HttpStatusCode.OK).Json));
        Assert.Equal(["row/create", "row/delete", "row/update"], await KindsOnModelAsync(s, model));

        // An archived one no longer counts: a fresh one is made beside it.
        var delete = first.AsArray().Single(a => a!["kind"]!.GetValue<string>() == "row/delete")!["id"]!.GetValue<int>();
        (await s.Admin.Put($"/api/action/{delete}", new { archived = true })).Expect(HttpStatusCode.OK);
        Assert.Equal(["row/delete"], Kinds((await s.Admin.Post($"/api/model/{model}/implicit-actions")).Expect(HttpStatusCode.OK).Json));
    }
}
