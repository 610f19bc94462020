using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

/// <summary>Registering databases: connection tests, clear 400s, and passwords that never come back.</summary>
public sealed class DatabaseConnectionTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static JsonObject Body(string engine, JsonObject details) =>
        new() { ["name"] = "db", ["engine"] = engine, ["details"] = details };

    [Fact]
    public async Task Missing_sqlite_file_is_a_400_naming_the_path_and_creates_nothing()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.db");
        var response = (await admin.Post("/api/database", Body("sqlite", new JsonObject { ["db"] = path }).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Equal($"No SQLite database file at {path}", response.Json["message"]!.GetValue<string>());
        Assert.False(File.Exists(path));
        Assert.Equal(0, (await admin.Get("/api/database")).Json["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Wrong_password_is_a_400_with_the_drivers_reason_without_the_password(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        const string wrong = "Wr0ng-Secret-Value";
        var details = engine == "postgres" ? TargetDatabases.PostgresDetails("postgres", wrong) : TargetDatabases.MySqlDetails("actions_test", wrong);
        var response = (await admin.Post("/api/database", Body(engine, details).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        var message = response.Json["message"]!.GetValue<string>();
        Assert.Contains(engine == "postgres" ? "password authentication failed" : "Access denied", message);
        Assert.DoesNotContain(wrong, response.Body);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Unreachable_server_is_a_400_with_a_reason(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var details = engine == "postgres" ? TargetDatabases.PostgresDetails("postgres") : TargetDatabases.MySqlDetails("actions_test");
        details["port"] = ClosedLoopbackPort();
        var response = (await admin.Post("/api/database", Body(engine, details).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(response.Json["message"]!.GetValue<string>()));
        Assert.DoesNotContain(details["password"]!.GetValue<string>(), response.Body);
    }

    [Fact]
    public async Task Unknown_engine_and_missing_details_are_400()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Post("/api/database", Body("oracle", new JsonObject()).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        var missing = (await admin.Post("/api/database", Body("postgres", new JsonObject { ["host"] = "127.0.0.1" }).ToJsonString())).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("dbname", missing.Json["message"]!.GetValue<string>());
        var invalid = (await admin.Post("/api/database", new { name = "x" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.NotNull(invalid["errors"]!["engine"]);
        Assert.NotNull(invalid["errors"]!["details"]);
    }

    [Fact]
    public async Task No_endpoint_returns_the_password_and_a_masked_password_keeps_the_stored_one()
    {
        var admin = await Seeded.AdminAsync(_app);
        var name = await TargetDatabases.PostgresAsync("CREATE TABLE t (id serial PRIMARY KEY);");
        var password = TargetDatabases.PostgresAdmin().Password!;
        var created = (await admin.Post("/api/database", Body("postgres", TargetDatabases.PostgresDetails(name)).ToJsonString())).Expect(HttpStatusCode.OK);
        var id = created.Json["id"]!.GetValue<int>();
        Assert.Equal("**MetabasePass**", created.Json["details"]!["password"]!.GetValue<string>());
        Assert.False(created.Json["settings"]!["database-enable-actions"]!.GetValue<bool>());

        var bodies = new List<string>
        {
            created.Body,
            (await admin.Get("/api/database")).Body,
            (await admin.Get($"/api/database/{id}")).Body,
            (await admin.Get($"/api/database/{id}/metadata")).Body,
        };
        var details = TargetDatabases.PostgresDetails(name);
        details["password"] = "**MetabasePass**";
        var updated = (await admin.Put($"/api/database/{id}", new JsonObject { ["name"] = "renamed", ["details"] = details }.ToJsonString())).Expect(HttpStatusCode.OK);
        bodies.Add(updated.Body);
        Assert.Equal("renamed", updated.Json["name"]!.GetValue<string>());
        foreach (var body in bodies) Assert.DoesNotContain(password, body);
        // The stored password still works after the masked update.
        (await admin.Post($"/api/database/{id}/sync_schema")).Expect(HttpStatusCode.OK);

        using var scope = _app.Services.CreateScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var row = await db.Databases.SingleAsync(d => d.Id == id);
        Assert.DoesNotContain(password, row.DetailsJson);
        Assert.DoesNotContain(password, row.EncryptedPassword!);
    }

    [Fact]
    public async Task Actions_setting_is_merged_and_non_superusers_cannot_change_databases()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY);");
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path }, enableActions: false);
        Assert.False((await admin.Get($"/api/database/{id}")).Json["settings"]!["database-enable-actions"]!.GetValue<bool>());
        var on = (await admin.Put($"/api/database/{id}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = true } }.ToJsonString())).Json;
        Assert.True(on["settings"]!["database-enable-actions"]!.GetValue<bool>());
        Assert.Equal(path, on["details"]!["db"]!.GetValue<string>());

        var (user, _) = await Seeded.UserAsync(admin);
        const string forbidden = "You don't have permissions to do that.";
        (await user.Post("/api/database", Body("sqlite", new JsonObject { ["db"] = path }).ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await user.Put($"/api/database/{id}", new { name = "x" })).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await user.Post($"/api/database/{id}/sync_schema")).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await user.Delete($"/api/database/{id}")).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        (await user.Put("/api/field/1", new { visibility_type = "hidden" })).ExpectPlain(HttpStatusCode.Forbidden, forbidden);
        // Everyone may see that the database exists, without its connection details.
        var seen = (await user.Get($"/api/database/{id}")).Expect(HttpStatusCode.OK).Json;
        Assert.Empty(seen["details"]!.AsObject());
        (await user.Get($"/api/database/{id}/metadata")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deleting_a_database_removes_its_tables_and_models()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);");
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, _) = await TargetDatabases.TableAsync(admin, id, "t");
        var card = (await admin.Post("/api/card", ModelsApiTests.Model("T", id, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        (await admin.Delete($"/api/database/{id}")).Expect(HttpStatusCode.NoContent);
        (await admin.Get($"/api/database/{id}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Get($"/api/card/{card}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Get($"/api/table/{tableId}/query_metadata")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        Assert.True(File.Exists(path));
    }
}
