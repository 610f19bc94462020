using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>Query actions running for real on SQLite through POST /api/action/:id/execute.</summary>
public sealed class QueryExecutionTests : IDisposable
{
    private readonly AppFactory _app = new(new Dictionary<string, string?> { ["Actions:ExecutionLog:StoreParameterValues"] = "true" });

    public void Dispose() => _app.Dispose();

    private static async Task<ApiClient.Response> Execute(ActionSetup s, int id, object parameters) =>
        await s.Admin.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(parameters)) }.ToJsonString());

    [Fact]
    public async Task Metabase_fixture_keeps_the_optional_block_only_with_a_value()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        var withName = (await Execute(s, id, new { id = 1, name = "Bakery" })).Expect(HttpStatusCode.OK);
        Assert.Equal("""{"rows-affected":1}""", withName.Body);
        Assert.Equal("Bakery Shop", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        (await Execute(s, id, new { id = 2 })).Expect(HttpStatusCode.OK);
        Assert.Equal("Shop", s.Scalar("SELECT name FROM categories WHERE id = 2"));
        // A null value is no value: the block is dropped.
        (await s.Admin.Post($"/api/action/{id}/execute", """{"parameters": {"id": 3, "name": null}}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("Shop", s.Scalar("SELECT name FROM categories WHERE id = 3"));
        Assert.Equal("""{"rows-affected":0}""", (await Execute(s, id, new { id = 999 })).Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task Injection_attempts_are_stored_literally()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("INSERT INTO log (a, b, c) VALUES ({{a}}, {{b}}, {{c}})",
            tags: new JsonObject { ["b"] = new JsonObject { ["type"] = "number", ["name"] = "b", ["display-name"] = "B" } }));
        const string evil = "x'); DROP TABLE categories; --";
        const string unicode = "名前 — ✓ \"quoted\" {{a}} [[b]]";
        (await Execute(s, id, new { a = evil, b = "42", c = unicode })).Expect(HttpStatusCode.OK);
        Assert.Equal(evil, s.Scalar("SELECT a FROM log"));
        Assert.Equal("42", s.Scalar("SELECT b FROM log"));
        Assert.Equal("integer", s.Scalar("SELECT typeof(b) FROM log"));
        Assert.Equal(unicode, s.Scalar("SELECT c FROM log"));
        Assert.Equal("3", s.Scalar("SELECT count(*) FROM categories"));
    }

    [Fact]
    public async Task Unknown_and_hidden_parameters_are_refused_with_clojure_sets()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var visualization = new JsonObject { ["fields"] = new JsonObject { ["name"] = new JsonObject { ["id"] = "name", ["hidden"] = true } } };
        var body = s.FixtureAction();
        body["visualization_settings"] = visualization;
        var id = await s.CreateAsync(body);
        var response = (await Execute(s, id, new { id = 1, nope = 2 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("No destination parameter found for #{\"nope\"}. Found: #{\"id\"}", response["message"]!.GetValue<string>());
        Assert.Equal(["id", "nope"], response["parameters"]!.AsArray().Select(p => p!.GetValue<string>()).Order());
        Assert.Equal(["id"], response["destination-parameters"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["id"], response["data"]!["destination-parameters"]!.AsArray().Select(p => p!.GetValue<string>()));
        var hidden = (await Execute(s, id, new { id = 1, name = "Sneaky" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.StartsWith("No destination parameter found for #{\"name\"}", hidden["message"]!.GetValue<string>());
        Assert.Equal("African", s.Scalar("SELECT name FROM categories WHERE id = 1"));
    }

    [Fact]
    public async Task Form_defaults_fill_absent_parameters_but_not_explicit_nulls()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var body = s.FixtureAction();
        body["visualization_settings"] = new JsonObject { ["fields"] = new JsonObject { ["name"] = new JsonObject { ["id"] = "name", ["defaultValue"] = "Default" } } };
        var id = await s.CreateAsync(body);
        (await Execute(s, id, new { id = 1 })).Expect(HttpStatusCode.OK);
        Assert.Equal("Default Shop", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        (await s.Admin.Post($"/api/action/{id}/execute", """{"parameters": {"id": 2, "name": null}}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("Shop", s.Scalar("SELECT name FROM categories WHERE id = 2"));
    }

    [Fact]
    public async Task Parameters_may_be_omitted_and_are_derived_from_template_tags()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = {{new_name}} WHERE id = {{id}}",
            tags: new JsonObject { ["id"] = new JsonObject { ["type"] = "number" } }));
        (await Execute(s, id, new { id = "2", new_name = "Two" })).Expect(HttpStatusCode.OK);
        Assert.Equal("Two", s.Scalar("SELECT name FROM categories WHERE id = 2"));
    }

    [Fact]
    public async Task Value_errors_use_metabase_messages()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.FixtureAction());
        var notNumber = (await Execute(s, id, new { id = "abc" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Error executing Action: Error building query parameter map: id: \"abc\" is not a number", notNumber["message"]!.GetValue<string>());
        var required = (await Execute(s, id, new { name = "x" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Error executing Action: Error building query parameter map: Error determining value for parameter \"id\": You'll need to pick a value for 'ID' before this query can run.",
            required["message"]!.GetValue<string>());

        var optional = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = {{a}} WHERE id = {{b}}"));
        var missing = (await Execute(s, optional, new { })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Error executing Action: Cannot run the query: missing required parameters: #{\"a\" \"b\"}", missing["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_one_statement_runs_and_nothing_is_written_otherwise()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'X'; DELETE FROM categories"));
        var response = (await Execute(s, id, new { })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Only one SQL statement can be executed per action.", response["message"]!.GetValue<string>());
        Assert.Equal("3", s.Scalar("SELECT count(*) FROM categories"));
        Assert.Equal("0", s.Scalar("SELECT count(*) FROM categories WHERE name = 'X'"));
        var trailing = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'Y' WHERE id = 1; -- done"));
        (await Execute(s, trailing, new { })).Expect(HttpStatusCode.OK);
        var quoted = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'a;b' WHERE id = 2"));
        (await Execute(s, quoted, new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("a;b", s.Scalar("SELECT name FROM categories WHERE id = 2"));
    }

    [Fact]
    public async Task Database_errors_are_400_with_the_databases_message_and_roll_back()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("INSERT INTO venues (name, price) VALUES ({{name}}, {{price}})"));
        (await Execute(s, id, new { name = "A", price = 5 })).Expect(HttpStatusCode.OK);
        var duplicate = (await Execute(s, id, new { name = "A", price = 5 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.StartsWith("Error executing Action: Error executing write query: ", duplicate["message"]!.GetValue<string>());
        Assert.Contains("UNIQUE constraint failed", duplicate["message"]!.GetValue<string>());
        var missingTable = await s.CreateAsync(s.QueryAction("UPDATE nowhere SET x = 1"));
        (await Execute(s, missingTable, new { })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("1", s.Scalar("SELECT count(*) FROM venues"));
    }

    [Fact]
    public async Task Template_errors_are_reported_at_run_time()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var nested = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'x' [[ WHERE [[ id = {{id}} ]] ]]"));
        Assert.Contains("nested", (await Execute(s, nested, new { id = 1 })).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        var empty = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'x' [[ WHERE id = 1 ]]"));
        (await Execute(s, empty, new { })).Expect(HttpStatusCode.BadRequest);
        // 100,000 nested openers: the parser's 400, no stack to overflow.
        var deep = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'x' " + string.Concat(Enumerable.Repeat("[[", 100_000)) + "{{id}}"));
        Assert.Contains("nested", (await Execute(s, deep, new { id = 1 })).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        Assert.Equal("0", s.Scalar("SELECT count(*) FROM categories WHERE name = 'x'"));
    }

    [Fact]
    public async Task Boolean_and_date_tags_are_bound_typed()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("INSERT INTO log (a, b, c) VALUES ({{when}}, {{flag}}, typeof({{flag}}))",
            tags: new JsonObject { ["when"] = new JsonObject { ["type"] = "date" }, ["flag"] = new JsonObject { ["type"] = "boolean" } }));
        (await Execute(s, id, new { when = "2024-02-29", flag = true })).Expect(HttpStatusCode.OK);
        Assert.Equal("2024-02-29", s.Scalar("SELECT a FROM log"));
        Assert.Equal("1", s.Scalar("SELECT b FROM log"));
        Assert.Equal("integer", s.Scalar("SELECT c FROM log"));
        (await Execute(s, id, new { when = "not a date", flag = true })).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Changes_to_the_action_model_permissions_and_database_take_effect_at_once()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'first' WHERE id = 1"));
        (await Execute(s, id, new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("first", s.Scalar("SELECT name FROM categories WHERE id = 1"));
        var changed = s.QueryAction("UPDATE categories SET name = 'second' WHERE id = 1");
        (await s.Admin.Put($"/api/action/{id}", new JsonObject { ["dataset_query"] = changed["dataset_query"]!.DeepClone() }.ToJsonString())).Expect(HttpStatusCode.OK);
        (await Execute(s, id, new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("second", s.Scalar("SELECT name FROM categories WHERE id = 1"));

        var (user, _) = await Seeded.UserAsync(s.Admin);
        (await user.Post($"/api/action/{id}/execute")).Expect(HttpStatusCode.OK);
        (await s.Admin.Put("/api/collection/graph", new JsonObject { ["groups"] = new JsonObject { ["1"] = new JsonObject { ["root"] = "none" } } }.ToJsonString())).Expect(HttpStatusCode.OK);
        (await user.Post($"/api/action/{id}/execute")).ExpectPlain(HttpStatusCode.Forbidden, "You don't have permissions to do that.");
        Assert.Empty((await user.Get("/api/action")).Json.AsArray());

        (await s.Admin.Put($"/api/database/{s.DatabaseId}", new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = false } }.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.Equal("Actions are not enabled.", (await Execute(s, id, new { })).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        (await s.Admin.Delete($"/api/action/{id}")).Expect(HttpStatusCode.NoContent);
        (await Execute(s, id, new { })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Concurrent_runs_all_commit_and_all_reach_the_log()
    {
        var s = await ActionSetup.CreateAsync(_app);
        var id = await s.CreateAsync(s.QueryAction("INSERT INTO log (a, b) VALUES ({{client}}, {{n}})",
            tags: new JsonObject { ["n"] = new JsonObject { ["type"] = "number" } }));
        const int clients = 8, runs = 200;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; n < runs; n++)
                if ((await Execute(s, id, new { client = $"c{c}", n })).Status != HttpStatusCode.OK) Interlocked.Increment(ref failures);
        })));
        Assert.Equal(0, failures);
        Assert.Equal((clients * runs).ToString(), s.Scalar("SELECT count(*) FROM log"));
        Assert.Equal((clients * runs).ToString(), s.Scalar("SELECT count(DISTINCT a || '-' || b) FROM log"));
        var log = (await s.Admin.Get($"/api/action/{id}/execution?limit=1")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(clients * runs, log["total"]!.GetValue<int>());
    }
}
