using System.Net;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Execution;
using Actions.Data.Platform;
using Actions.Data.Reading;
using Actions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Reading;

/// <summary>
/// The model browser's reads on each engine: pages, sorts, value filters, search and counts happen in the database; keys of
/// every row a filter keeps for bulk runs; which actions are row actions. And bulk runs: one logged run per row, Stop.
/// </summary>
public sealed class ModelBrowserServiceTests : IDisposable
{
    private static readonly Caller Admin = new(0, true, new HashSet<int> { 2 });
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private ModelBrowserService Browser => _app.Services.GetRequiredService<ModelBrowserService>();

    private static async Task<int> ModelAsync(ApiClient admin, string name, int databaseId, int tableId) =>
        (await admin.Post("/api/card", Api.ModelsApiTests.Model(name, databaseId, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    /// <summary>Rows 6…<paramref name="last"/> after ReadTarget's five: names "row 6"…, qty 6…, nothing else.</summary>
    private static string MoreRows(int last) =>
        "INSERT INTO items (id, name, qty) VALUES " + string.Join(", ", Enumerable.Range(6, last - 5).Select(i => $"({i}, 'row {i}', {i})")) + ";";

    private static List<int> Ids(ModelRows rows) => rows.Rows.Select(r => Int(r[0])).ToList();

    /// <summary>A whole number as the engine gave it (an int or a long behind the JSON value).</summary>
    private static int Int(JsonNode? value) => int.Parse(value!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Rows_are_paged_sorted_filtered_searched_and_counted_in_the_database(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine, MoreRows(60));
        var model = await Browser.OpenAsync(Admin, await ModelAsync(admin, "Items", t.DatabaseId, t.TableId), default);

        // Columns by display name, the sensitive one left out, the key known.
        Assert.Equal(["id", "name", "price", "qty", "active", "born", "seen"], model.Columns.Select(c => c.Name));
        Assert.Equal("Name", model.Columns[1].DisplayName);
        Assert.Equal("id", model.Key!.Name);

        Task<ModelRows> Page(RowQuery q) => Browser.PageAsync(Admin, model, q, default);
        Dictionary<string, string> F(string column, string value) => new() { [column] = value };

        // Pages in key order by default; a page past the first starts where the last one ended.
        var first = await Page(new RowQuery(1, 25));
        Assert.Equal(Enumerable.Range(1, 25), Ids(first));
        Assert.Equal(60, first.Total);
        Assert.Equal(Enumerable.Range(51, 10), Ids(await Page(new RowQuery(2, 50))));
        Assert.Equal(Enumerable.Range(26, 25), Ids(await Page(new RowQuery(2, 25))));
        // Page sizes other than 25, 50 and 100 are not taken.
        Assert.Equal(25, (await Page(new RowQuery(1, 7))).Rows.Count);

        // Sorted by a column, either way, over the whole table (not within a page).
        // (Where empty values go is the engine's own: PostgreSQL puts them first when descending.)
        Assert.Equal([3, 4, 1, 5, 2], Ids(await Page(new RowQuery(1, 100, "price", Descending: true))).Where(id => id <= 5));
        Assert.Equal(Enumerable.Range(36, 25).Reverse(), Ids(await Page(new RowQuery(1, 25, "id", Descending: true))));

        // Value filters: text contains (any case), numbers, booleans, dates and whole days of date-times equal.
        Assert.Equal([1, 4], Ids(await Page(new RowQuery(Filters: F("name", "APP")))));
        Assert.Equal([5, 7], Ids(await Page(new RowQuery(Filters: F("qty", "7")))));
        Assert.Equal([2, 4], Ids(await Page(new RowQuery(Filters: F("active", "no")))));
        Assert.Equal([2], Ids(await Page(new RowQuery(Filters: F("born", "2021-03-04")))));
        Assert.Equal([5], Ids(await Page(new RowQuery(Filters: F("seen", "2022-05-06")))));
        Assert.Equal([1], Ids(await Page(new RowQuery(Filters: new Dictionary<string, string> { ["name"] = "app", ["qty"] = "10" }))));
        // The search looks in every text column; with a filter, rows must match both.
        var search = await Page(new RowQuery(Search: "ROW 1"));
        Assert.Equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], Ids(search));
        Assert.Equal(10, search.Total);
        Assert.Equal([12], Ids(await Page(new RowQuery(Search: "row 1", Filters: F("qty", "12")))));
        Assert.Equal(0, (await Page(new RowQuery(Search: "nothing like it"))).Total);
        Assert.Equal(2, await Browser.CountAsync(Admin, model, new RowQuery(Filters: F("name", "apple")), default));

        // A value a column cannot hold is said on that column, and nothing is read.
        var wrong = await Assert.ThrowsAsync<RowError>(() => Page(new RowQuery(Filters: new Dictionary<string, string> { ["qty"] = "many", ["born"] = "yesterday" })));
        Assert.Equal(["born", "qty"], wrong.Errors.Keys.Order());
        Assert.Contains("Qty: enter a number.", wrong.Message);
        // Filters on columns the model does not show (the sensitive one) are ignored, not read.
        Assert.Equal(60, (await Page(new RowQuery(Filters: F("secret", "s1")))).Total);
    }

    [Theory]
    [MemberData(nameof(ReadTarget.Engines), MemberType = typeof(ReadTarget))]
    public async Task Keys_of_all_rows_a_filter_keeps_are_read_in_batches_up_to_the_confirmed_count(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var t = await ReadTarget.CreateAsync(admin, engine, MoreRows(1200));
        var model = await Browser.OpenAsync(Admin, await ModelAsync(admin, "Items", t.DatabaseId, t.TableId), default);
        var rowsNamedRow = new RowQuery(Search: "row ");

        var keys = await Browser.KeysAsync(Admin, model, rowsNamedRow, 5000, default).Select(Int).ToListAsync();
        Assert.Equal(Enumerable.Range(6, 1195), keys);
        // Never more than were confirmed.
        Assert.Equal(Enumerable.Range(6, 700), await Browser.KeysAsync(Admin, model, rowsNamedRow, 700, default).Select(Int).ToListAsync());
    }

    [Fact]
    public async Task Row_actions_are_the_actions_that_take_the_rows_key()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL); CREATE TABLE notes (body TEXT);");
        var databaseId = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, "orders");
        var modelId = await ModelAsync(admin, "Orders", databaseId, tableId);
        var basics = (await admin.Post($"/api/model/{modelId}/implicit-actions")).Expect(HttpStatusCode.OK).Json;
        int Action(JsonObject body)
        {
            body["type"] = "query";
            body["model_id"] = modelId;
            body["database_id"] = databaseId;
            return admin.Post("/api/action", body.ToJsonString()).GetAwaiter().GetResult().Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        }
        JsonObject Native(string name, string sql, params string[] tags) => new()
        {
            ["name"] = name,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = databaseId, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = sql,
                    ["template-tags"] = new JsonObject(tags.Select(tag => KeyValuePair.Create<string, JsonNode?>(tag,
                        new JsonObject { ["id"] = tag, ["name"] = tag, ["display-name"] = tag, ["type"] = "number", ["required"] = true }))),
                },
            },
            ["parameters"] = new JsonArray(tags.Select(tag => (JsonNode)new JsonObject
            {
                ["id"] = tag, ["slug"] = tag, ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", tag)),
            }).ToArray()),
        };
        var byKey = Action(Native("Ship", "UPDATE orders SET status = 'shipped' WHERE id = {{id}}", "id"));
        var byModelName = Action(Native("Cancel", "UPDATE orders SET status = 'cancelled' WHERE id = {{order_id}}", "order_id"));
        Action(Native("Purge", "DELETE FROM orders WHERE id < {{below}}", "below"));

        var model = await Browser.OpenAsync(Admin, modelId, default);
        var rowActions = model.RowActions.ToDictionary(a => a.Name);
        Assert.Equal(["Cancel", "Delete Orders", "Ship", "Update Orders"], rowActions.Keys.Order());
        Assert.True(rowActions["Update Orders"].LoadsRow);
        Assert.False(rowActions["Delete Orders"].LoadsRow);
        Assert.Equal("id", rowActions["Ship"].KeyParameter);
        Assert.Equal(byKey, rowActions["Ship"].ActionId);
        Assert.Equal("order_id", rowActions["Cancel"].KeyParameter);
        Assert.Equal(byModelName, rowActions["Cancel"].ActionId);
        var create = basics.AsArray().Single(a => a!["kind"]!.GetValue<string>() == "row/create")!["id"]!.GetValue<int>();
        Assert.Equal(create, model.CreateActionId);
        Assert.True(model.ActionsEnabled);

        // A model without a primary key has no row actions.
        var (notesId, _) = await TargetDatabases.TableAsync(admin, databaseId, "notes");
        var notes = await Browser.OpenAsync(Admin, await ModelAsync(admin, "Notes", databaseId, notesId), default);
        Assert.Null(notes.Key);
        Assert.Empty(notes.RowActions);
    }

    [Fact]
    public async Task A_bulk_run_runs_once_per_row_logs_each_run_and_reports_each_rows_outcome()
    {
        var (admin, modelId, actionId, path) = await StockAsync();
        var model = await Browser.OpenAsync(Admin, modelId, default);
        var bulk = _app.Services.GetRequiredService<BulkRunService>();

        var keys = Browser.KeysAsync(Admin, model, new RowQuery(), 3, default);
        var seen = new List<BulkOutcome>();
        var result = await bulk.RunAsync(Admin, actionId, "id", new JsonObject { ["amount"] = 5 }, keys, o => { seen.Add(o); return Task.CompletedTask; }, default);

        Assert.False(result.Stopped);
        Assert.Equal([1, 2, 3], result.Outcomes.Select(o => Int(o.Key)));
        Assert.Equal([true, false, true], result.Outcomes.Select(o => o.Succeeded));
        Assert.Contains("CHECK constraint failed", result.Outcomes[1].Error!.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(result.Outcomes, seen);
        Assert.Equal("5|2|15", Scalar(path, "SELECT group_concat(qty, '|') FROM (SELECT qty FROM stock ORDER BY id)"));
        var log = (await admin.Get($"/api/action/{actionId}/execution?limit=100")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(3, log["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stop_ends_a_bulk_run_before_the_next_row()
    {
        var (admin, modelId, actionId, path) = await StockAsync();
        var model = await Browser.OpenAsync(Admin, modelId, default);
        var bulk = _app.Services.GetRequiredService<BulkRunService>();
        using var stop = new CancellationTokenSource();

        var result = await bulk.RunAsync(Admin, actionId, "id", new JsonObject { ["amount"] = 1 },
            Browser.KeysAsync(Admin, model, new RowQuery(), 3, default), async _ => await stop.CancelAsync(), stop.Token);

        Assert.True(result.Stopped);
        Assert.Equal([1], result.Outcomes.Select(o => Int(o.Key)));
        Assert.Equal("9|2|20", Scalar(path, "SELECT group_concat(qty, '|') FROM (SELECT qty FROM stock ORDER BY id)"));
        var log = (await admin.Get($"/api/action/{actionId}/execution?limit=100")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(1, log["total"]!.GetValue<int>());
    }

    /// <summary>A stock table whose quantities cannot go below zero, its model, and a query action taking some off one row.</summary>
    private async Task<(ApiClient Admin, int ModelId, int ActionId, string Path)> StockAsync()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("""
            CREATE TABLE stock (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0));
            INSERT INTO stock VALUES (1, 'bolts', 10), (2, 'nuts', 2), (3, 'screws', 20);
            """);
        var databaseId = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, "stock");
        var modelId = await ModelAsync(admin, "Stock", databaseId, tableId);
        var action = new JsonObject
        {
            ["name"] = "Take from stock", ["type"] = "query", ["model_id"] = modelId, ["database_id"] = databaseId,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = databaseId, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = "UPDATE stock SET qty = qty - {{amount}} WHERE id = {{id}}",
                    ["template-tags"] = new JsonObject
                    {
                        ["id"] = new JsonObject { ["id"] = "id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number", ["required"] = true },
                        ["amount"] = new JsonObject { ["id"] = "amount", ["name"] = "amount", ["display-name"] = "Amount", ["type"] = "number", ["required"] = true },
                    },
                },
            },
            ["parameters"] = new JsonArray(
                new JsonObject { ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["required"] = true, ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")) },
                new JsonObject { ["id"] = "amount", ["slug"] = "amount", ["type"] = "number/=", ["required"] = true, ["target"] = new JsonArray("variable", new JsonArray("template-tag", "amount")) }),
        };
        var actionId = (await admin.Post("/api/action", action.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        return (admin, modelId, actionId, path);
    }

    private static string Scalar(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
