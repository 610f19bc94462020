using System.Text.Json;
using Microsoft.Data.Sqlite;

// Modes:
//   init <file>                 create the benchmark's target SQLite database
//   stub                        a tiny JSON endpoint for the outbound HTTP calls
//   serve <file> <stub url>     the floor: the same INSERT and the same outbound call, nothing else (and a plain SELECT)
var mode = args.Length > 0 ? args[0] : "serve";
if (mode == "init")
{
    using var connection = new SqliteConnection($"Data Source={args[1]}");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, amount INTEGER NOT NULL, note TEXT);
        CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value INTEGER NOT NULL);
        INSERT INTO counters (id, name, value) SELECT value, 'c' || value, 0 FROM json_each('[1,2,3,4,5,6,7,8,9,10]') WHERE NOT EXISTS (SELECT 1 FROM counters);
        """;
    command.ExecuteNonQuery();
    return;
}

if (mode == "seed")
{
    // seed <url> <api key> <count> <json body file>: POSTs the body count times, 8 at a time.
    var (url, key, count, body) = (args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(args[4]));
    using var client = new HttpClient();
    client.DefaultRequestHeaders.Add("X-Api-Key", key);
    var next = 0;
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            using var response = await client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
        }
    }));
    if (failures > 0) Console.Error.WriteLine($"{failures} of {count} requests failed");
    return;
}

// Where to listen comes from ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
if (mode == "stub")
{
    app.MapGet("/stub", () => Results.Json(new { ok = true, items = new[] { new { name = "a" }, new { name = "b" } } }));
    app.Run();
    return;
}

// The same connection settings the app uses for target databases.
var connectionString = new SqliteConnectionStringBuilder
{
    DataSource = args[1], Mode = SqliteOpenMode.ReadWrite, ForeignKeys = true, DefaultTimeout = 30, Pooling = true,
}.ToString();
var stub = args[2];
var http = new HttpClient();
app.MapPost("/insert", async (HttpRequest request) =>
{
    var body = await JsonDocument.ParseAsync(request.Body);
    var p = body.RootElement.GetProperty("parameters");
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using (var pragma = connection.CreateCommand())
    {
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync();
    }
    await using var tx = await connection.BeginTransactionAsync();
    await using var command = connection.CreateCommand();
    command.Transaction = (SqliteTransaction)tx;
    command.CommandText = "INSERT INTO events (kind, amount, note) VALUES (@p0, @p1, @p2)";
    command.Parameters.AddWithValue("@p0", p.GetProperty("kind").GetString());
    command.Parameters.AddWithValue("@p1", p.GetProperty("amount").GetInt64());
    command.Parameters.AddWithValue("@p2", p.GetProperty("note").GetString());
    var rows = await command.ExecuteNonQueryAsync();
    await tx.CommitAsync();
    return Results.Json(new Dictionary<string, int> { ["rows-affected"] = rows });
});
// The read floor (bench/rows.sh): the first 2,000 rows of a table as JSON arrays, as a card query answers them.
app.MapPost("/select/{table}", async (string table) =>
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" LIMIT 2000";
    await using var reader = await command.ExecuteReaderAsync();
    var rows = new List<object?[]>();
    while (await reader.ReadAsync())
    {
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        rows.Add(row);
    }
    return Results.Json(new { data = new { rows }, row_count = rows.Count, status = "completed" });
});
app.MapPost("/http", async () =>
{
    using var response = await http.GetAsync(stub);
    var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    return Results.Json(json.RootElement.GetProperty("items"));
});
app.Run();
