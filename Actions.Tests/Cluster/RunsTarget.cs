using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Cluster;

/// <summary>
/// A PostgreSQL target (a cluster's targets are shared servers, not SQLite files) with a table <c>runs (n)</c>, registered
/// with its password through one instance, a model on it and a query action that inserts the run's <c>n</c>.
/// </summary>
public sealed record RunsTarget(string Database, int DatabaseId, int ModelId, int ActionId)
{
    public static async Task<RunsTarget> CreateAsync(ApiClient admin)
    {
        var database = await TargetDatabases.PostgresAsync("CREATE TABLE runs (id serial PRIMARY KEY, n integer NOT NULL)");
        var databaseId = await TargetDatabases.RegisterAsync(admin, "postgres", TargetDatabases.PostgresDetails(database));
        var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, "runs");
        var modelId = (await admin.Post("/api/card", Api.ModelsApiTests.Model("Runs", databaseId, tableId).ToJsonString()))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var action = new JsonObject
        {
            ["name"] = "Record run",
            ["type"] = "query",
            ["model_id"] = modelId,
            ["database_id"] = databaseId,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = databaseId, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = "INSERT INTO runs (n) VALUES ({{n}})",
                    ["template-tags"] = new JsonObject
                    {
                        ["n"] = new JsonObject { ["id"] = "tag-n", ["name"] = "n", ["display-name"] = "N", ["type"] = "number", ["required"] = true },
                    },
                },
            },
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["id"] = "n", ["slug"] = "n", ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "n")),
            }),
        };
        var actionId = (await admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        return new RunsTarget(database, databaseId, modelId, actionId);
    }

    public string Execute => $"/api/action/{ActionId}/execute";

    public static object Run(int n) => new { parameters = new Dictionary<string, int> { ["n"] = n } };

    /// <summary>The <c>n</c> of every logged run of the action (the cluster keeps parameter values in its log).</summary>
    public async Task<HashSet<int>> LoggedAsync(ApiClient admin)
    {
        var logged = new HashSet<int>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await admin.Get($"/api/action/{ActionId}/execution?limit=1000&offset={offset}")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray();
            foreach (var entry in page)
                if (entry!["parameters"]?["n"] is JsonValue n) logged.Add(int.Parse(n.ToString(), System.Globalization.CultureInfo.InvariantCulture));
            if (page.Count < 1000) return logged;
        }
    }
}
