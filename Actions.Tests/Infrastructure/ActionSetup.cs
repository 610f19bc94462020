using System.Net;
using System.Text.Json.Nodes;

namespace Actions.Tests.Infrastructure;

/// <summary>A superuser, a SQLite target with Metabase's fixture tables, a model on each, made through the API.</summary>
public sealed class ActionSetup
{
    public const string CategoriesDdl = """
        CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        INSERT INTO categories (id, name) VALUES (1, 'African'), (2, 'American'), (3, 'Artisan');
        CREATE TABLE venues (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, category_id INTEGER REFERENCES categories(id), price INTEGER CHECK (price > 0));
        CREATE TABLE log (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT);
        """;

    public required ApiClient Admin { get; init; }
    public required int DatabaseId { get; init; }
    public required string Path { get; init; }
    public required Dictionary<string, int> Models { get; init; }

    public static async Task<ActionSetup> CreateAsync(AppFactory app, string ddl = CategoriesDdl, bool enableActions = true)
    {
        var admin = await Seeded.AdminAsync(app);
        var path = TargetDatabases.Sqlite(ddl);
        var databaseId = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path }, enableActions);
        var metadata = (await admin.Get($"/api/database/{databaseId}/metadata")).Json;
        var models = new Dictionary<string, int>();
        foreach (var table in metadata["tables"]!.AsArray())
        {
            var name = table!["name"]!.GetValue<string>();
            var card = Api.ModelsApiTests.Model(name, databaseId, table["id"]!.GetValue<int>());
            models[name] = (await admin.Post("/api/card", card.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        }
        return new ActionSetup { Admin = admin, DatabaseId = databaseId, Path = path, Models = models };
    }

    public JsonObject QueryAction(string sql, string model = "categories", JsonObject? tags = null, JsonArray? parameters = null,
        JsonObject? visualization = null, string name = "Rename category") => new()
    {
        ["name"] = name,
        ["type"] = "query",
        ["model_id"] = Models[model],
        ["database_id"] = DatabaseId,
        ["dataset_query"] = new JsonObject
        {
            ["database"] = DatabaseId, ["type"] = "native",
            ["native"] = new JsonObject { ["query"] = sql, ["template-tags"] = tags ?? new JsonObject() },
        },
        ["parameters"] = parameters,
        ["visualization_settings"] = visualization,
    };

    /// <summary>Metabase's own fixture: rename a category, with an optional prefix.</summary>
    public JsonObject FixtureAction() => QueryAction(
        "UPDATE categories SET name = [[{{name}} || ' ' ||]] 'Shop' WHERE id = {{id}}",
        tags: new JsonObject
        {
            ["id"] = new JsonObject { ["id"] = "tag-id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number", ["required"] = true },
            ["name"] = new JsonObject { ["id"] = "tag-name", ["name"] = "name", ["display-name"] = "Name", ["type"] = "text", ["required"] = false },
        },
        parameters: new JsonArray(
            new JsonObject { ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")) },
            new JsonObject { ["id"] = "name", ["slug"] = "name", ["type"] = "string/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "name")) }));

    public async Task<int> CreateAsync(JsonObject body) =>
        (await Admin.Post("/api/action", body.ToJsonString())).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    public string Scalar(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
