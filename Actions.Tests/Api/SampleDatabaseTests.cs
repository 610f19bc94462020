using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

public sealed class SampleDatabaseTests
{
    private static Dictionary<string, string?> WithSample() => new() { ["Actions:SampleData"] = "true" };

    [Fact]
    public async Task First_start_creates_the_sample_with_models_and_actions_enabled_once()
    {
        string dataDir;
        using (var app = new AppFactory(WithSample()))
        {
            dataDir = app.DataDir;
            var admin = await Seeded.AdminAsync(app);
            var databases = (await admin.Get("/api/database")).Expect(HttpStatusCode.OK).Json;
            var sample = databases["data"]!.AsArray().Single()!;
            Assert.Equal("Sample Database", sample["name"]!.GetValue<string>());
            Assert.True(sample["is_sample"]!.GetValue<bool>());
            Assert.True(sample["settings"]!["database-enable-actions"]!.GetValue<bool>());
            Assert.Equal(Path.Combine(dataDir, "sample.db"), sample["details"]!["db"]!.GetValue<string>());

            var tables = (await admin.Get($"/api/database/{sample["id"]}/metadata")).Json["tables"]!.AsArray();
            Assert.Equal(["categories", "customers", "orders", "products", "reviews"], tables.Select(t => t!["name"]!.GetValue<string>()));
            var orders = tables.Single(t => t!["name"]!.GetValue<string>() == "orders")!["fields"]!.AsArray();
            Assert.Equal("type/FK", orders.Single(f => f!["name"]!.GetValue<string>() == "customer_id")!["semantic_type"]!.GetValue<string>());

            var models = (await admin.Get("/api/card")).Json.AsArray();
            Assert.Equal(5, models.Count);
            Assert.All(models, m => Assert.Equal("model", m!["type"]!.GetValue<string>()));

            // One example action of each type; the HTTP one points at a public echo service and is never run here.
            var actions = (await admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray();
            Assert.Equal(["http", "implicit", "query"], actions.Select(a => a!["type"]!.GetValue<string>()).Order());
            var http = actions.Single(a => a!["type"]!.GetValue<string>() == "http")!;
            Assert.Equal("https://httpbin.org/anything", http["template"]!["url"]!.GetValue<string>());
            Assert.Contains("internet", http["description"]!.GetValue<string>());
            var update = actions.Single(a => a!["type"]!.GetValue<string>() == "implicit")!;
            Assert.Contains(update["parameters"]!.AsArray(), p => p!["id"]!.GetValue<string>() == "price");
            // The example query action really works on the sample file.
            var query = actions.Single(a => a!["type"]!.GetValue<string>() == "query")!;
            Assert.Equal("""{"rows-affected":1}""", (await admin.Post($"/api/action/{query["id"]}/execute", new { parameters = new { order_id = 1 } })).Expect(HttpStatusCode.OK).Body);
        }
        using (var again = new AppFactory(WithSample(), dataDir))
        {
            var token = (await again.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword })).Json["id"]!.GetValue<string>();
            var admin = again.Api(token);
            Assert.Equal(1, (await admin.Get("/api/database")).Json["total"]!.GetValue<int>());
            Assert.Equal(5, (await admin.Get("/api/card")).Json.AsArray().Count);
            (await admin.Delete("/api/database/1")).Expect(HttpStatusCode.NoContent);
        }
        // An admin who deleted the sample is not overruled by the next start.
        using (var third = new AppFactory(WithSample(), dataDir))
        {
            var token = (await third.Api().Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword })).Json["id"]!.GetValue<string>();
            Assert.Equal(0, (await third.Api(token).Get("/api/database")).Json["total"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Sample_data_can_be_turned_off()
    {
        using var app = new AppFactory();
        var admin = await Seeded.AdminAsync(app);
        Assert.Equal(0, (await admin.Get("/api/database")).Json["total"]!.GetValue<int>());
    }
}
