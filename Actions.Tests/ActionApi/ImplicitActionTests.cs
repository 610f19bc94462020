using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.ActionApi;

/// <summary>Implicit create/update/delete on SQLite, PostgreSQL and MariaDB.</summary>
public sealed class ImplicitActionTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static string Ddl(string engine) => engine switch
    {
        "sqlite" => """
            CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            INSERT INTO categories (name) VALUES ('Bars'), ('Cafes');
            CREATE TABLE venues (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, category_id INTEGER REFERENCES categories(id),
              open BOOLEAN NOT NULL DEFAULT 1, opened_on DATE, rating DECIMAL(4,2), secret TEXT, price INTEGER CONSTRAINT price_positive CHECK (price > 0));
            INSERT INTO venues (name, category_id, open, opened_on, rating, secret, price) VALUES ('Old Pub', 1, 1, '2020-01-31', 4.5, 's3cr3t', 10);
            CREATE TABLE checkins (id INTEGER PRIMARY KEY, venue_id INTEGER NOT NULL REFERENCES venues(id));
            INSERT INTO checkins (venue_id) VALUES (1);
            CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
            """,
        "postgres" => """
            CREATE TABLE categories (id serial PRIMARY KEY, name text NOT NULL);
            INSERT INTO categories (name) VALUES ('Bars'), ('Cafes');
            CREATE TABLE venues (id serial PRIMARY KEY, name text NOT NULL UNIQUE, category_id int REFERENCES categories(id),
              open boolean NOT NULL DEFAULT true, opened_on date, rating numeric(4,2), secret text, price int CONSTRAINT price_positive CHECK (price > 0));
            INSERT INTO venues (name, category_id, open, opened_on, rating, secret, price) VALUES ('Old Pub', 1, true, '2020-01-31', 4.5, 's3cr3t', 10);
            CREATE TABLE checkins (id serial PRIMARY KEY, venue_id int NOT NULL REFERENCES venues(id));
            INSERT INTO checkins (venue_id) VALUES (1);
            CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b));
            """,
        _ => """
            CREATE TABLE categories (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB;
            INSERT INTO categories (name) VALUES ('Bars'), ('Cafes');
            CREATE TABLE venues (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, category_id INT NULL,
              open BOOLEAN NOT NULL DEFAULT TRUE, opened_on DATE NULL, rating DECIMAL(4,2) NULL, secret VARCHAR(100) NULL, price INT NULL,
              CONSTRAINT price_positive CHECK (price > 0), FOREIGN KEY (category_id) REFERENCES categories(id)) ENGINE=InnoDB;
            INSERT INTO venues (name, category_id, open, opened_on, rating, secret, price) VALUES ('Old Pub', 1, TRUE, '2020-01-31', 4.5, 's3cr3t', 10);
            CREATE TABLE checkins (id INT AUTO_INCREMENT PRIMARY KEY, venue_id INT NOT NULL, FOREIGN KEY (venue_id) REFERENCES venues(id)) ENGINE=InnoDB;
            INSERT INTO checkins (venue_id) VALUES (1);
            CREATE TABLE pairs (a INT, b INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
            """,
    };

    private sealed record Setup(ApiClient Admin, int DatabaseId, Dictionary<string, int> Models, Dictionary<string, int> SecretFields);

    private async Task<Setup> CreateAsync(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        JsonObject details = engine switch
        {
            "sqlite" => new JsonObject { ["db"] = TargetDatabases.Sqlite(Ddl(engine)) },
            "postgres" => TargetDatabases.PostgresDetails(await TargetDatabases.PostgresAsync(Ddl(engine))),
            _ => TargetDatabases.MySqlDetails(await TargetDatabases.MySqlAsync(Ddl(engine))),
        };
        var databaseId = await TargetDatabases.RegisterAsync(admin, engine, details);
        var (_, venueFields) = await TargetDatabases.TableAsync(admin, databaseId, "venues");
        (await admin.Put($"/api/field/{venueFields["secret"]["id"]}", new { visibility_type = "sensitive" })).Expect(HttpStatusCode.OK);
        var models = new Dictionary<string, int>();
        foreach (var table in new[] { "categories", "venues", "checkins", "pairs" })
        {
            var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, table);
            models[table] = (await admin.Post("/api/card", Api.ModelsApiTests.Model(table, databaseId, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        }
        return new Setup(admin, databaseId, models, new() { ["secret"] = venueFields["secret"]["id"]!.GetValue<int>() });
    }

    private static async Task<int> ImplicitAsync(Setup s, string kind, string model = "venues", JsonObject? visualization = null)
    {
        var body = new JsonObject { ["name"] = kind, ["type"] = "implicit", ["kind"] = kind, ["model_id"] = s.Models[model], ["visualization_settings"] = visualization?.DeepClone() };
        return (await s.Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
    }

    private static Task<ApiClient.Response> Run(Setup s, int id, JsonObject parameters) =>
        s.Admin.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = parameters }.ToJsonString());

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Generated_parameters_follow_the_schema_and_the_kind(string engine)
    {
        var s = await CreateAsync(engine);
        var create = (await s.Admin.Get($"/api/action/{await ImplicitAsync(s, "row/create")}")).Json;
        var parameters = create["parameters"]!.AsArray().ToDictionary(p => p!["id"]!.GetValue<string>());
        Assert.Equal(["name", "category_id", "open", "opened_on", "rating", "price"], parameters.Keys);
        Assert.Equal("text", parameters["name"]!["type"]!.GetValue<string>());
        Assert.True(parameters["name"]!["required"]!.GetValue<bool>());
        Assert.False(parameters["open"]!["required"]!.GetValue<bool>());
        Assert.Equal("boolean", parameters["open"]!["type"]!.GetValue<string>());
        Assert.Equal("date", parameters["opened_on"]!["type"]!.GetValue<string>());
        Assert.Equal("number", parameters["rating"]!["type"]!.GetValue<string>());
        Assert.Equal("Category ID", parameters["category_id"]!["display-name"]!.GetValue<string>());
        Assert.Equal("""["variable",["template-tag","name"]]""", parameters["name"]!["target"]!.ToJsonString());
        Assert.Equal(["name", "category_id", "open", "opened_on", "rating", "price"], create["visualization_settings"]!["fields"]!.AsObject().Select(p => p.Key));
        Assert.False(create["visualization_settings"]!["fields"]!["name"]!["hidden"]!.GetValue<bool>());

        var update = (await s.Admin.Get($"/api/action/{await ImplicitAsync(s, "row/update")}")).Json["parameters"]!.AsArray();
        Assert.Equal("id", update[0]!["id"]!.GetValue<string>());
        Assert.True(update[0]!["required"]!.GetValue<bool>());
        Assert.True(update[0]!["is-auto-increment"]!.GetValue<bool>());
        Assert.DoesNotContain(update, p => p!["id"]!.GetValue<string>() == "secret");
        var delete = (await s.Admin.Get($"/api/action/{await ImplicitAsync(s, "row/delete")}")).Json["parameters"]!.AsArray();
        Assert.Equal(["id"], delete.Select(p => p!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Create_update_delete_act_on_exactly_one_row(string engine)
    {
        var s = await CreateAsync(engine);
        var create = await ImplicitAsync(s, "row/create");
        var created = (await Run(s, create, new JsonObject { ["name"] = "New Bar", ["category_id"] = 2, ["open"] = false, ["opened_on"] = "2024-02-29", ["rating"] = "3.25", ["price"] = null }))
            .Expect(HttpStatusCode.OK).Json["created-row"]!;
        Assert.Equal("New Bar", created["name"]!.GetValue<string>());
        Assert.False(created["open"]!.GetValue<bool>());
        Assert.Equal("2024-02-29", created["opened_on"]!.GetValue<string>());
        Assert.Equal(3.25m, created["rating"]!.GetValue<decimal>());
        Assert.Null(created["price"]);
        var newId = created["id"]!.GetValue<int>();
        Assert.True(newId > 1);

        var update = await ImplicitAsync(s, "row/update");
        Assert.Equal("""{"rows-updated":1}""", (await Run(s, update, new JsonObject { ["id"] = newId, ["name"] = "Renamed Bar", ["open"] = true })).Expect(HttpStatusCode.OK).Body);
        var values = (await s.Admin.Get($"/api/action/{update}/execute?parameters=" + Uri.EscapeDataString($"{{\"id\": {newId}}}"))).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("Renamed Bar", values["name"]!.GetValue<string>());
        Assert.True(values["open"]!.GetValue<bool>());
        Assert.Equal(newId, values["id"]!.GetValue<int>());
        Assert.False(values.AsObject().ContainsKey("secret"));
        (await Run(s, update, new JsonObject { ["id"] = 99999, ["name"] = "x" })).ExpectPlain(HttpStatusCode.BadRequest, "Sorry, the row you're trying to update doesn't exist");

        var delete = await ImplicitAsync(s, "row/delete");
        Assert.Equal("""{"rows-deleted":1}""", (await Run(s, delete, new JsonObject { ["id"] = newId })).Expect(HttpStatusCode.OK).Body);
        (await Run(s, delete, new JsonObject { ["id"] = newId })).ExpectPlain(HttpStatusCode.BadRequest, "Sorry, the row you're trying to delete doesn't exist");
        (await s.Admin.Post($"/api/action/{update}/execute/values", new { parameters = new { id = newId } })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Constraint_errors_are_translated(string engine)
    {
        var s = await CreateAsync(engine);
        var create = await ImplicitAsync(s, "row/create");
        var update = await ImplicitAsync(s, "row/update");
        var unique = (await Run(s, create, new JsonObject { ["name"] = "Old Pub" })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Name already exists.", unique["message"]!.GetValue<string>());
        Assert.Equal("This Name value already exists.", unique["errors"]!["name"]!.GetValue<string>());

        var notNull = (await Run(s, update, new JsonObject { ["id"] = 1, ["name"] = null, ["category_id"] = 1 })).Expect(HttpStatusCode.OK);
        var fk = (await Run(s, create, new JsonObject { ["name"] = "Ghost", ["category_id"] = 999 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Unable to create a new record.", fk["message"]!.GetValue<string>());
        if (engine != "sqlite") Assert.Equal("This value does not exist in table \"categories\".", fk["errors"]!["category_id"]!.GetValue<string>());
        var fkUpdate = (await Run(s, update, new JsonObject { ["id"] = 1, ["category_id"] = 999 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Unable to update the record.", fkUpdate["message"]!.GetValue<string>());

        var check = (await Run(s, create, new JsonObject { ["name"] = "Cheap", ["price"] = -1 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Some of your values violate the constraint: price_positive", check["message"]!.GetValue<string>());

        var delete = await ImplicitAsync(s, "row/delete");
        var referenced = (await Run(s, delete, new JsonObject { ["id"] = 1 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Other rows refer to this row so it cannot be deleted.", referenced["message"]!.GetValue<string>());

        var wrongType = (await Run(s, create, new JsonObject { ["name"] = "Typed", ["price"] = "lots" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"message":"Some of your values aren't of the correct type for the database.","errors":{}}""", wrongType.Body);
        Assert.NotNull(notNull);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Not_null_violation_names_the_field(string engine)
    {
        var s = await CreateAsync(engine);
        var create = await ImplicitAsync(s, "row/create");
        // Null values are dropped, so leaving out the NOT NULL name makes the database refuse the row.
        var response = (await Run(s, create, new JsonObject { ["name"] = null, ["price"] = 3 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("Name must have values.", response["message"]!.GetValue<string>());
        Assert.Equal("You must provide a value.", response["errors"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_pk_no_values_and_composite_keys_get_plain_400s()
    {
        var s = await CreateAsync("sqlite");
        var update = await ImplicitAsync(s, "row/update");
        (await Run(s, update, new JsonObject { ["name"] = "x" })).ExpectPlain(HttpStatusCode.BadRequest, "Missing primary key parameter: \"id\"");
        (await Run(s, update, new JsonObject { ["id"] = 1 })).ExpectPlain(HttpStatusCode.BadRequest, "Implicit parameters must be provided.");
        (await Run(s, update, new JsonObject { ["id"] = 1, ["name"] = null })).ExpectPlain(HttpStatusCode.BadRequest, "Implicit parameters must be provided.");
        var pairs = await ImplicitAsync(s, "row/update", "pairs");
        (await Run(s, pairs, new JsonObject { ["a"] = 1, ["b"] = 2 })).ExpectPlain(HttpStatusCode.BadRequest, "Must execute implicit action on a table with a single primary key.");
        (await Run(s, update, new JsonObject { ["id"] = 1, ["secret"] = "leak" })).Expect(HttpStatusCode.BadRequest);
        var create = await ImplicitAsync(s, "row/create");
        (await s.Admin.Get($"/api/action/{create}/execute?parameters={{}}")).ExpectPlain(HttpStatusCode.BadRequest, "Values can only be fetched for actions that require a Primary Key.");
        (await s.Admin.Get($"/api/action/{update}/execute?parameters={{}}")).ExpectPlain(HttpStatusCode.BadRequest, "Missing primary key parameter: \"id\"");
        (await s.Admin.Get($"/api/action/{update}/execute")).Expect(HttpStatusCode.BadRequest);
        var bulk = (await s.Admin.Post("/api/action", new { name = "bulk", type = "implicit", kind = "bulk/create", model_id = s.Models["venues"] })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        (await Run(s, bulk, new JsonObject { ["name"] = "x" })).ExpectPlain(HttpStatusCode.BadRequest, "Bulk actions are not supported.");
    }

    [Fact]
    public async Task Hidden_fields_are_refused_and_left_out_of_prefetch_and_defaults_apply()
    {
        var s = await CreateAsync("sqlite");
        var visualization = new JsonObject { ["fields"] = new JsonObject { ["price"] = new JsonObject { ["id"] = "price", ["hidden"] = true }, ["rating"] = new JsonObject { ["defaultValue"] = 1.5 } } };
        var create = await ImplicitAsync(s, "row/create", visualization: visualization);
        var row = (await Run(s, create, new JsonObject { ["name"] = "Defaults" })).Expect(HttpStatusCode.OK).Json["created-row"]!;
        Assert.Equal(1.5m, row["rating"]!.GetValue<decimal>());
        (await Run(s, create, new JsonObject { ["name"] = "Sneaky", ["price"] = 5 })).Expect(HttpStatusCode.BadRequest);
        var update = await ImplicitAsync(s, "row/update", visualization: visualization);
        var values = (await s.Admin.Post($"/api/action/{update}/execute/values", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK).Json;
        Assert.False(values.AsObject().ContainsKey("price"));
        Assert.Equal("Old Pub", values["name"]!.GetValue<string>());
        Assert.Equal("2020-01-31", values["opened_on"]!.GetValue<string>());
        var saved = (await s.Admin.Get($"/api/action/{update}")).Json["visualization_settings"]!["fields"]!;
        Assert.True(saved["price"]!["hidden"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Schema_changes_show_up_after_a_sync_and_ambiguous_slugs_block_runs()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);");
        var db = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, _) = await TargetDatabases.TableAsync(admin, db, "people");
        var model = (await admin.Post("/api/card", Api.ModelsApiTests.Model("People", db, tableId).ToJsonString())).Json["id"]!.GetValue<int>();
        var created = (await admin.Post($"/api/model/{model}/implicit-actions")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal(["row/create", "row/update", "row/delete"], created.Select(a => a!["kind"]!.GetValue<string>()));
        var updateId = created[1]!["id"]!.GetValue<int>();

        TargetDatabases.ExecSqlite(path, "ALTER TABLE people ADD COLUMN \"Last Login\" DATETIME;");
        (await admin.Post($"/api/database/{db}/sync_schema")).Expect(HttpStatusCode.OK);
        var parameters = (await admin.Get($"/api/action/{updateId}")).Json["parameters"]!.AsArray();
        var lastLogin = parameters.Single(p => p!["id"]!.GetValue<string>() == "last_login")!;
        Assert.Equal("date", lastLogin["type"]!.GetValue<string>());

        TargetDatabases.ExecSqlite(path, "ALTER TABLE people ADD COLUMN last_login TEXT;");
        (await admin.Post($"/api/database/{db}/sync_schema")).Expect(HttpStatusCode.OK);
        Assert.Empty((await admin.Get($"/api/action/{updateId}")).Json["parameters"]!.AsArray());
        (await admin.Post($"/api/action/{updateId}/execute", new { parameters = new { id = 1 } }))
            .ExpectPlain(HttpStatusCode.BadRequest, "Cannot execute implicit action on a table with ambiguous column names.");
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Uuid_keys_with_and_without_defaults(string engine)
    {
        var admin = await Seeded.AdminAsync(_app);
        var ddl = engine == "postgres"
            ? "CREATE TABLE tokens (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text); CREATE TABLE keys (id uuid PRIMARY KEY, label text);"
            : "CREATE TABLE keys (id UUID PRIMARY KEY NOT NULL, label TEXT);";
        JsonObject details = engine == "postgres"
            ? TargetDatabases.PostgresDetails(await TargetDatabases.PostgresAsync(ddl))
            : new JsonObject { ["db"] = TargetDatabases.Sqlite(ddl) };
        var db = await TargetDatabases.RegisterAsync(admin, engine, details);
        var (keysTable, _) = await TargetDatabases.TableAsync(admin, db, "keys");
        var keysModel = (await admin.Post("/api/card", Api.ModelsApiTests.Model("Keys", db, keysTable).ToJsonString())).Json["id"]!.GetValue<int>();
        var createKey = (await admin.Post("/api/action", new { name = "k", type = "implicit", kind = "row/create", model_id = keysModel })).Json;
        var idParameter = createKey["parameters"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == "id")!;
        Assert.True(idParameter["required"]!.GetValue<bool>());
        var key = Guid.NewGuid().ToString();
        var row = (await admin.Post($"/api/action/{createKey["id"]}/execute", new { parameters = new { id = key, label = "x" } })).Expect(HttpStatusCode.OK).Json["created-row"]!;
        Assert.Equal(key, row["id"]!.GetValue<string>());
        (await admin.Post($"/api/action/{createKey["id"]}/execute", new { parameters = new { id = "not-a-uuid", label = "x" } })).Expect(HttpStatusCode.BadRequest);

        if (engine != "postgres") return;
        var (tokensTable, _) = await TargetDatabases.TableAsync(admin, db, "tokens");
        var tokensModel = (await admin.Post("/api/card", Api.ModelsApiTests.Model("Tokens", db, tokensTable).ToJsonString())).Json["id"]!.GetValue<int>();
        var createToken = (await admin.Post("/api/action", new { name = "t", type = "implicit", kind = "row/create", model_id = tokensModel })).Json;
        Assert.DoesNotContain(createToken["parameters"]!.AsArray(), p => p!["id"]!.GetValue<string>() == "id");
        var token = (await admin.Post($"/api/action/{createToken["id"]}/execute", new { parameters = new { label = "y" } })).Expect(HttpStatusCode.OK).Json["created-row"]!;
        Assert.True(Guid.TryParse(token["id"]!.GetValue<string>(), out _));
    }

    /// <summary>A model on one table of a fresh target database; its create/update action ids.</summary>
    private static async Task<(int Create, int Update)> SingleTableAsync(ApiClient admin, string engine, string ddl, string table)
    {
        JsonObject details = engine == "postgres"
            ? TargetDatabases.PostgresDetails(await TargetDatabases.PostgresAsync(ddl))
            : TargetDatabases.MySqlDetails(await TargetDatabases.MySqlAsync(ddl));
        var db = await TargetDatabases.RegisterAsync(admin, engine, details);
        var (tableId, _) = await TargetDatabases.TableAsync(admin, db, table);
        var model = (await admin.Post("/api/card", Api.ModelsApiTests.Model(table, db, tableId).ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        int Action(JsonNode body) => body["id"]!.GetValue<int>();
        var create = Action((await admin.Post("/api/action", new { name = "c", type = "implicit", kind = "row/create", model_id = model })).Expect(HttpStatusCode.OK).Json);
        var update = Action((await admin.Post("/api/action", new { name = "u", type = "implicit", kind = "row/update", model_id = model })).Expect(HttpStatusCode.OK).Json);
        return (create, update);
    }

    [Fact]
    public async Task Postgres_enum_and_citext_like_columns_take_text_values_converted_by_the_server()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (create, update) = await SingleTableAsync(admin, "postgres", """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE feelings (id serial PRIMARY KEY, aenum mood NOT NULL, label varchar(20));
            CREATE TABLE coded (code mood PRIMARY KEY, note text);
            INSERT INTO feelings (aenum, label) VALUES ('ok', 'first');
            """, "feelings");
        var row = (await admin.Post($"/api/action/{create}/execute", new { parameters = new { aenum = "happy", label = "x" } })).Expect(HttpStatusCode.OK).Json["created-row"]!;
        Assert.Equal("happy", row["aenum"]!.GetValue<string>());
        (await admin.Post($"/api/action/{update}/execute", new { parameters = new { id = 1, aenum = "sad" } })).Expect(HttpStatusCode.OK);
        Assert.Equal("sad", (await admin.Post($"/api/action/{update}/execute/values", new { parameters = new { id = 1 } })).Expect(HttpStatusCode.OK).Json["aenum"]!.GetValue<string>());
        // A value outside the enum does not convert: the spec's wrong-type answer, not the database's message.
        var wrong = (await admin.Post($"/api/action/{create}/execute", new { parameters = new { aenum = "angry" } })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"message":"Some of your values aren't of the correct type for the database.","errors":{}}""", wrong.Body);
    }

    [Fact]
    public async Task Mariadb_unique_violations_through_a_named_key_or_the_primary_key_name_the_field()
    {
        const string ddl = """
            CREATE TABLE places (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL, CONSTRAINT places_code_uq UNIQUE (code)) ENGINE=InnoDB;
            INSERT INTO places (code) VALUES ('A'), ('B');
            CREATE TABLE tags (tag_name VARCHAR(10) NOT NULL PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB;
            INSERT INTO tags VALUES ('red', 'x');
            """;
        var admin = await Seeded.AdminAsync(_app);
        var (create, update) = await SingleTableAsync(admin, "mysql", ddl, "places");
        var named = (await admin.Post($"/api/action/{create}/execute", new { parameters = new { code = "A" } })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"message":"Code already exists.","errors":{"code":"This Code value already exists."}}""", named.Body);
        var onUpdate = (await admin.Post($"/api/action/{update}/execute", new { parameters = new { id = 2, code = "A" } })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"message":"Code already exists.","errors":{"code":"This Code value already exists."}}""", onUpdate.Body);

        var (tagsCreate, _) = await SingleTableAsync(admin, "mysql", ddl, "tags");
        var primary = (await admin.Post($"/api/action/{tagsCreate}/execute", new { parameters = new { tag_name = "red", note = "y" } })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"message":"Tag Name already exists.","errors":{"tag_name":"This Tag Name value already exists."}}""", primary.Body);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Concurrent_updates_and_deletes_on_the_same_rows_stay_consistent(string engine)
    {
        var s = await CreateAsync(engine);
        var create = await ImplicitAsync(s, "row/create", "categories");
        var ids = new List<int>();
        for (var i = 0; i < 10; i++)
            ids.Add((await Run(s, create, new JsonObject { ["name"] = $"c{i}" })).Expect(HttpStatusCode.OK).Json["created-row"]!["id"]!.GetValue<int>());
        var update = await ImplicitAsync(s, "row/update", "categories");
        var delete = await ImplicitAsync(s, "row/delete", "categories");
        var deleted = new System.Collections.Concurrent.ConcurrentBag<int>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            foreach (var id in ids)
            {
                var response = worker % 2 == 0
                    ? await Run(s, update, new JsonObject { ["id"] = id, ["name"] = $"w{worker}" })
                    : await Run(s, delete, new JsonObject { ["id"] = id });
                statuses.Add(response.Status);
                if (worker % 2 == 1 && response.Status == HttpStatusCode.OK) deleted.Add(id);
            }
        })));
        Assert.All(statuses, st => Assert.True(st is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"unexpected {st}"));
        // Each row was deleted by exactly one successful delete, and nothing is left of them.
        Assert.Equal(ids.Order(), deleted.Order());
        foreach (var id in ids)
            (await s.Admin.Post($"/api/action/{update}/execute/values", new { parameters = new { id } })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }
}
