using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Databases.Sqlite;
using Actions.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.ActionApi;

/// <summary>
/// A SQLite target whose file is deleted or replaced after runs (issue 13, defect 7): pooled handles keep the old file
/// open, and writes through them went to an unlinked file. Runs now fail clearly, or write to the file now at the path.
/// </summary>
public sealed class SqliteTargetFileTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static Task<ApiClient.Response> Execute(ActionSetup s, int id, JsonObject parameters) =>
        s.Admin.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = parameters }.ToJsonString());

    private static void DeleteFile(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(path + suffix);
    }

    [Fact]
    public async Task A_deleted_file_fails_every_run_with_a_clear_400_and_is_not_created_again()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var query = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'x' WHERE id = {{id}}"));
        var create = (await s.Admin.Post("/api/action", new JsonObject
        {
            ["name"] = "create", ["type"] = "implicit", ["kind"] = "row/create", ["model_id"] = s.Models["categories"],
        }.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        // Runs that leave handles in the pool, on the file as it was.
        Assert.Equal("""{"rows-affected":1}""", (await Execute(s, query, new JsonObject { ["id"] = 1 })).Expect(HttpStatusCode.OK).Body);
        (await Execute(s, create, new JsonObject { ["name"] = "Kept" })).Expect(HttpStatusCode.OK);

        DeleteFile(s.Path);

        for (var i = 0; i < 3; i++)
        {
            var failed = (await Execute(s, query, new JsonObject { ["id"] = 2 })).Expect(HttpStatusCode.BadRequest).Json;
            Assert.Equal("Error executing Action: Error executing write query: " + SqliteEngine.MovedMessage, failed["message"]!.GetValue<string>());
            var implicitFailed = (await Execute(s, create, new JsonObject { ["name"] = "Lost" })).Expect(HttpStatusCode.BadRequest).Json;
            Assert.Equal(SqliteEngine.MovedMessage, implicitFailed["message"]!.GetValue<string>());
        }
        Assert.False(File.Exists(s.Path));
    }

    [Fact]
    public async Task A_replaced_file_gets_the_writes_never_the_unlinked_one()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var query = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = {{name}} WHERE id = 1", tags: new JsonObject
        {
            ["name"] = new JsonObject { ["name"] = "name", ["display-name"] = "Name", ["type"] = "text" },
        }));
        (await Execute(s, query, new JsonObject { ["name"] = "before" })).Expect(HttpStatusCode.OK);

        // Keep the old file reachable under another name to see what is written to it, then put a new file in its place.
        // (The target is in WAL mode: its -wal and -shm files go with it.)
        var old = s.Path + ".old";
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(s.Path + suffix)) File.Move(s.Path + suffix, old + suffix);
        var replacement = TargetDatabases.Sqlite(ActionSetup.CategoriesDdl);
        File.Move(replacement, s.Path);

        Assert.Equal("""{"rows-affected":1}""", (await Execute(s, query, new JsonObject { ["name"] = "after" })).Expect(HttpStatusCode.OK).Body);
        Assert.Equal("after", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        using var connection = new SqliteConnection($"Data Source={old};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM categories WHERE id = 1";
        Assert.Equal("before", command.ExecuteScalar());
        connection.Close();
        DeleteFile(old);
    }
}
