using System.Globalization;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actions.Data.Databases;

/// <summary>
/// The embedded "Sample Database": a small shop in a SQLite file in DataDir, registered with actions enabled and
/// a model per table, made once on the first start so a newcomer has something to act on. The store remembers
/// it was made, so an admin who deletes it is not overruled later.
/// </summary>
public sealed class SampleDatabase(IDbContextFactory<AppDbContext> contexts, IOptions<ActionsOptions> options, DatabaseService databases,
    CardService cards, ActionService actions, ILogger<SampleDatabase> logger)
{
    public const string Name = "Sample Database";
    public const string FileName = "sample.db";
    internal const string MarkerKey = "internal.sample-database-created";

    /// <summary>The superuser identity start-up uses to create the sample (it is nobody's user).</summary>
    private static readonly Caller System = new(0, true, new HashSet<int> { PermissionGroup.AdministratorsId });

    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
            if (await db.Settings.AnyAsync(s => s.Key == MarkerKey, ct)) return;

        var path = Path.Combine(options.Value.DataDirFullPath, FileName);
        if (File.Exists(path)) File.Delete(path);
        await WriteFileAsync(path, ct);
        var database = await databases.CreateAsync(System, new DatabaseService.NewDatabase(Name, "sqlite",
            new JsonObject { ["db"] = path }, IsSample: true, ActionsEnabled: true), ct);
        var metadata = await databases.MetadataAsync(System, database.Id, ct);
        var models = new Dictionary<string, int>();
        foreach (var table in metadata.Tables)
        {
            var query = new JsonObject { ["database"] = database.Id, ["type"] = "query", ["query"] = new JsonObject { ["source-table"] = table.Id } };
            var card = await cards.CreateAsync(System, new CardService.CardInput(table.DisplayName, Card.ModelType, query,
                new CardQuery(database.Id, table.Id, null, false), false, null, true, $"Every row of the sample {table.Name} table.",
                "table", false, null, null), ct);
            models[table.Name] = card.Id;
        }
        foreach (var action in ExampleActions(database.Id, models))
            await actions.CreateAsync(System, ActionInput.Validate(new RequestBody(action), creating: true), ct);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.Settings.Add(new AppSetting { Key = MarkerKey, Value = "true" });
            await db.SaveChangesAsync(ct);
        }
        logger.LogInformation("Created the Sample Database with {Tables} models", metadata.Tables.Count);
    }

    /// <summary>One example of each type: a query action, an implicit action and an HTTP action (which needs internet access).</summary>
    private static IEnumerable<JsonObject> ExampleActions(int databaseId, Dictionary<string, int> models)
    {
        yield return new JsonObject
        {
            ["name"] = "Mark order as shipped",
            ["description"] = "Sets the status of one order to 'shipped'.",
            ["type"] = "query",
            ["model_id"] = models["orders"],
            ["database_id"] = databaseId,
            ["dataset_query"] = new JsonObject
            {
                ["database"] = databaseId, ["type"] = "native",
                ["native"] = new JsonObject
                {
                    ["query"] = "UPDATE orders SET status = 'shipped' WHERE id = {{order_id}}",
                    ["template-tags"] = new JsonObject
                    {
                        ["order_id"] = new JsonObject { ["id"] = "order_id", ["name"] = "order_id", ["display-name"] = "Order ID", ["type"] = "number", ["required"] = true },
                    },
                },
            },
            ["parameters"] = new JsonArray(new JsonObject
            {
                ["id"] = "order_id", ["slug"] = "order_id", ["name"] = "Order ID", ["type"] = "number/=", ["required"] = true,
                ["target"] = new JsonArray("variable", new JsonArray("template-tag", "order_id")),
            }),
            ["visualization_settings"] = new JsonObject
            {
                ["type"] = "form", ["successMessage"] = "{{rows-affected}} order marked as shipped.",
                ["fields"] = new JsonObject { ["order_id"] = new JsonObject { ["id"] = "order_id", ["title"] = "Order ID", ["inputType"] = "number", ["required"] = true } },
            },
        };
        yield return new JsonObject
        {
            ["name"] = "Update product",
            ["description"] = "Changes one product; its fields come from the products table.",
            ["type"] = "implicit",
            ["kind"] = "row/update",
            ["model_id"] = models["products"],
            ["visualization_settings"] = new JsonObject { ["type"] = "form", ["successMessage"] = "Product updated." },
        };
        yield return new JsonObject
        {
            ["name"] = "Send order to a webhook",
            ["description"] = "Example HTTP action: posts the order id to a public echo service (https://httpbin.org/anything). It needs internet access, and HTTP actions to public addresses only.",
            ["type"] = "http",
            ["model_id"] = models["orders"],
            ["template"] = new JsonObject
            {
                ["method"] = "POST",
                ["url"] = "https://httpbin.org/anything",
                ["body"] = "{\"order_id\": {{order_id}}}",
                ["headers"] = "{\"X-Example\": \"actions\"}",
                ["parameters"] = new JsonArray(new JsonObject { ["id"] = "order_id", ["name"] = "Order ID", ["type"] = "number/=", ["required"] = true }),
            },
            ["response_handle"] = ".body.json",
            ["error_handle"] = ".status >= 400",
        };
    }

    private static async Task WriteFileAsync(string path, CancellationToken ct)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecAsync(connection, """
            CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            CREATE TABLE products (
              id INTEGER PRIMARY KEY,
              category_id INTEGER NOT NULL REFERENCES categories(id),
              title TEXT NOT NULL,
              vendor TEXT NOT NULL,
              price DECIMAL(10,2) NOT NULL CONSTRAINT price_not_negative CHECK (price >= 0),
              rating REAL,
              in_stock BOOLEAN NOT NULL DEFAULT 1,
              created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
            CREATE TABLE customers (
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL,
              email TEXT NOT NULL UNIQUE,
              city TEXT,
              birth_date DATE,
              created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
            CREATE TABLE orders (
              id INTEGER PRIMARY KEY,
              customer_id INTEGER NOT NULL REFERENCES customers(id),
              product_id INTEGER NOT NULL REFERENCES products(id),
              quantity INTEGER NOT NULL CONSTRAINT quantity_positive CHECK (quantity > 0),
              total DECIMAL(10,2) NOT NULL,
              status TEXT NOT NULL DEFAULT 'placed',
              ordered_at DATETIME NOT NULL);
            CREATE TABLE reviews (
              id INTEGER PRIMARY KEY,
              product_id INTEGER NOT NULL REFERENCES products(id),
              reviewer TEXT NOT NULL,
              rating INTEGER NOT NULL CONSTRAINT rating_range CHECK (rating BETWEEN 1 AND 5),
              body TEXT,
              created_at DATETIME NOT NULL);
            """, ct);

        var random = new Random(20261128);
        string[] categories = ["Gadget", "Gizmo", "Widget", "Doohickey", "Tool", "Book"];
        string[] adjectives = ["Rustic", "Ergonomic", "Sleek", "Durable", "Lightweight", "Enormous", "Small", "Heavy-Duty", "Practical", "Aerodynamic"];
        string[] materials = ["Paper", "Steel", "Wool", "Copper", "Marble", "Leather", "Cotton", "Granite", "Bronze", "Plastic"];
        string[] vendors = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"];
        string[] firstNames = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia", "Tim"];
        string[] lastNames = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Dijkstra", "Perlman", "Berners-Lee"];
        string[] cities = ["Lisbon", "Oslo", "Nairobi", "Osaka", "Lima", "Tallinn", "Austin", "Dakar", null!];
        string[] statuses = ["placed", "paid", "shipped", "delivered", "cancelled"];
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        for (var i = 0; i < categories.Length; i++)
            await ExecAsync(connection, "INSERT INTO categories (id, name) VALUES ($1, $2)", ct, i + 1, categories[i]);
        var prices = new decimal[61];
        for (var i = 1; i <= 60; i++)
        {
            prices[i] = Math.Round((decimal)(random.NextDouble() * 95 + 5), 2);
            await ExecAsync(connection, "INSERT INTO products (id, category_id, title, vendor, price, rating, in_stock, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", ct,
                i, random.Next(1, categories.Length + 1), $"{adjectives[random.Next(adjectives.Length)]} {materials[random.Next(materials.Length)]} {categories[random.Next(categories.Length)]}",
                vendors[random.Next(vendors.Length)], prices[i], Math.Round(random.NextDouble() * 4 + 1, 1), random.Next(5) > 0 ? 1 : 0,
                start.AddDays(random.Next(0, 300)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        for (var i = 1; i <= 100; i++)
        {
            var first = firstNames[random.Next(firstNames.Length)];
            var last = lastNames[random.Next(lastNames.Length)];
            await ExecAsync(connection, "INSERT INTO customers (id, name, email, city, birth_date, created_at) VALUES ($1, $2, $3, $4, $5, $6)", ct,
                i, $"{first} {last}", $"{first}.{last}.{i}@example.com".ToLowerInvariant(), cities[random.Next(cities.Length)],
                new DateTime(1950, 1, 1).AddDays(random.Next(0, 18000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                start.AddDays(random.Next(0, 300)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        for (var i = 1; i <= 300; i++)
        {
            var product = random.Next(1, 61);
            var quantity = random.Next(1, 6);
            await ExecAsync(connection, "INSERT INTO orders (id, customer_id, product_id, quantity, total, status, ordered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", ct,
                i, random.Next(1, 101), product, quantity, prices[product] * quantity, statuses[random.Next(statuses.Length)],
                start.AddMinutes(random.Next(0, 500_000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        string[] bodies = ["Works as described.", "Broke after a week.", "Better than expected!", "Would buy again.", "Too expensive for what it is.", null!];
        for (var i = 1; i <= 150; i++)
            await ExecAsync(connection, "INSERT INTO reviews (id, product_id, reviewer, rating, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)", ct,
                i, random.Next(1, 61), firstNames[random.Next(firstNames.Length)].ToLowerInvariant() + random.Next(10, 99), random.Next(1, 6),
                bodies[random.Next(bodies.Length)], start.AddMinutes(random.Next(0, 500_000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await tx.CommitAsync(ct);
        await ExecAsync(connection, "PRAGMA journal_mode = WAL;", ct);
    }

    private static async Task ExecAsync(SqliteConnection connection, string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue($"${i + 1}", values[i] ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }
}
