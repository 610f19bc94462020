using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary>The lookup endpoints real Metabase clients call: a table, a field, a database's schemas and a schema's tables.</summary>
public sealed class MetadataLookupTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_table_comes_with_its_database_and_a_field_with_its_table()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var (member, _) = await Seeded.UserAsync(s.Admin);
        var (tableId, fields) = await TargetDatabases.TableAsync(s.Admin, s.DatabaseId, "venues");
        foreach (var client in new[] { s.Admin, member })
        {
            var table = (await client.Get($"/api/table/{tableId}")).Expect(HttpStatusCode.OK).Json;
            Assert.Equal("venues", table["name"]!.GetValue<string>());
            Assert.Equal(s.DatabaseId, table["db_id"]!.GetValue<int>());
            Assert.Null(table["fields"]);
            Assert.Equal(s.DatabaseId, table["db"]!["id"]!.GetValue<int>());
            Assert.Equal("sqlite", table["db"]!["engine"]!.GetValue<string>());
            var field = (await client.Get($"/api/field/{fields["category_id"]["id"]}")).Expect(HttpStatusCode.OK).Json;
            Assert.Equal("category_id", field["name"]!.GetValue<string>());
            Assert.Equal(tableId, field["table"]!["id"]!.GetValue<int>());
            Assert.Equal("venues", field["table"]!["name"]!.GetValue<string>());
        }
        // Connection details stay for superusers.
        Assert.Equal(s.Path, (await s.Admin.Get($"/api/table/{tableId}")).Json["db"]!["details"]!["db"]!.GetValue<string>());
        Assert.Empty((await member.Get($"/api/table/{tableId}")).Json["db"]!["details"]!.AsObject());
        (await s.Admin.Get("/api/table/99999")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Get("/api/field/99999")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await _app.Api().Get($"/api/table/{tableId}")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task Sqlite_tables_have_no_schema()
    {
        var s = await ActionSetup.CreateAsync(_app);
        Assert.Equal("[]", (await s.Admin.Get($"/api/database/{s.DatabaseId}/schemas")).Expect(HttpStatusCode.OK).Body);
        (await s.Admin.Get($"/api/database/{s.DatabaseId}/schema/main")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await s.Admin.Get("/api/database/99999/schemas")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Postgres_schemas_are_listed_sorted_with_their_tables()
    {
        var admin = await Seeded.AdminAsync(_app);
        var database = await TargetDatabases.PostgresAsync("""
            CREATE SCHEMA sales;
            CREATE TABLE sales.orders (id SERIAL PRIMARY KEY, total INTEGER);
            CREATE TABLE sales.customers (id SERIAL PRIMARY KEY, name TEXT);
            CREATE TABLE public.notes (id SERIAL PRIMARY KEY, body TEXT);
            """);
        var id = await TargetDatabases.RegisterAsync(admin, "postgres", TargetDatabases.PostgresDetails(database));
        Assert.Equal(["public", "sales"], (await admin.Get($"/api/database/{id}/schemas")).Expect(HttpStatusCode.OK).Json.AsArray().Select(n => n!.GetValue<string>()));
        var sales = (await admin.Get($"/api/database/{id}/schema/sales")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal(["customers", "orders"], sales.Select(t => t!["name"]!.GetValue<string>()));
        Assert.All(sales, t => Assert.Equal("sales", t!["schema"]!.GetValue<string>()));
        (await admin.Get($"/api/database/{id}/schema/nope")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }
}
