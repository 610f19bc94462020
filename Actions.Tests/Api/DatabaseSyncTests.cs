using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Api;

/// <summary>Schema sync on the three engines: base types, keys, auto-increment, stability.</summary>
public sealed class DatabaseSyncTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static void AssertTypes(Dictionary<string, JsonNode> fields, params (string Column, string BaseType)[] expected)
    {
        foreach (var (column, baseType) in expected)
            Assert.True(baseType == fields[column]["base_type"]!.GetValue<string>(), $"{column}: expected {baseType}, got {fields[column]["base_type"]}");
    }

    [Fact]
    public async Task Sqlite_declared_types_map_by_affinity_rules()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("""
            CREATE TABLE everything (
              id INTEGER PRIMARY KEY, big BIGINT, small_int SMALLINT, flag BOOLEAN, happened DATETIME, stamp TIMESTAMP, day DATE,
              at_time TIME, uid UUID, doc JSON, code VARCHAR(10), notes CLOB, body TEXT, ratio REAL, f FLOAT, d DOUBLE PRECISION,
              amount DECIMAL(10,2), n NUMERIC, raw BLOB, untyped);
            """);
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path }, enableActions: false);
        var (_, fields) = await TargetDatabases.TableAsync(admin, id, "everything");
        AssertTypes(fields, ("id", "type/Integer"), ("big", "type/BigInteger"), ("small_int", "type/Integer"), ("flag", "type/Boolean"),
            ("happened", "type/DateTime"), ("stamp", "type/DateTime"), ("day", "type/Date"), ("at_time", "type/Time"), ("uid", "type/UUID"),
            ("doc", "type/JSON"), ("code", "type/Text"), ("notes", "type/Text"), ("body", "type/Text"), ("ratio", "type/Float"), ("f", "type/Float"),
            ("d", "type/Float"), ("amount", "type/Decimal"), ("n", "type/Decimal"), ("raw", "type/*"), ("untyped", "type/*"));
        Assert.Equal("DECIMAL(10,2)", fields["amount"]["database_type"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(0, 20), fields.Values.Select(f => f["position"]!.GetValue<int>()).Order());
    }

    [Fact]
    public async Task Sqlite_keys_defaults_and_required_flags_are_detected()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("""
            CREATE TABLE venues (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'bar', secret TEXT);
            CREATE TABLE checkins (id INTEGER PRIMARY KEY, venue_id INTEGER NOT NULL REFERENCES venues, note TEXT);
            CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT);
            CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
            """);
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (_, venues) = await TargetDatabases.TableAsync(admin, id, "venues");
        var (_, checkins) = await TargetDatabases.TableAsync(admin, id, "checkins");
        var (_, tags) = await TargetDatabases.TableAsync(admin, id, "tags");
        var (_, pairs) = await TargetDatabases.TableAsync(admin, id, "pairs");

        Assert.Equal("type/PK", venues["id"]["semantic_type"]!.GetValue<string>());
        Assert.True(venues["id"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.False(venues["id"]["database_required"]!.GetValue<bool>());
        Assert.True(venues["name"]["database_required"]!.GetValue<bool>());
        Assert.False(venues["kind"]["database_required"]!.GetValue<bool>());
        Assert.Equal("'bar'", venues["kind"]["database_default"]!.GetValue<string>());
        Assert.False(venues["secret"]["database_required"]!.GetValue<bool>());
        Assert.Equal("Venue ID", checkins["venue_id"]["display_name"]!.GetValue<string>());

        Assert.Equal("type/FK", checkins["venue_id"]["semantic_type"]!.GetValue<string>());
        Assert.Equal(venues["id"]["id"]!.GetValue<int>(), checkins["venue_id"]["fk_target_field_id"]!.GetValue<int>());
        Assert.False(tags["code"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.Equal("type/PK", tags["code"]["semantic_type"]!.GetValue<string>());
        Assert.False(pairs["a"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.Equal("type/PK", pairs["b"]["semantic_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Field_ids_are_stable_and_vanished_fields_come_back_with_their_id()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, old TEXT);");
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, before) = await TargetDatabases.TableAsync(admin, id, "items");

        TargetDatabases.ExecSqlite(path, "ALTER TABLE items DROP COLUMN old; ALTER TABLE items ADD COLUMN added INTEGER;");
        (await admin.Post($"/api/database/{id}/sync_schema")).Expect(HttpStatusCode.OK);
        var (tableAfter, after) = await TargetDatabases.TableAsync(admin, id, "items");
        Assert.Equal(tableId, tableAfter);
        Assert.Equal(before["id"]["id"]!.GetValue<int>(), after["id"]["id"]!.GetValue<int>());
        Assert.Equal(before["name"]["id"]!.GetValue<int>(), after["name"]["id"]!.GetValue<int>());
        Assert.False(after.ContainsKey("old"));
        Assert.Equal("type/Integer", after["added"]["base_type"]!.GetValue<string>());

        TargetDatabases.ExecSqlite(path, "ALTER TABLE items ADD COLUMN old TEXT;");
        Assert.Equal("ok", (await admin.Post($"/api/database/{id}/sync_schema")).Expect(HttpStatusCode.OK).Json["status"]!.GetValue<string>());
        var (_, back) = await TargetDatabases.TableAsync(admin, id, "items");
        Assert.Equal(before["old"]["id"]!.GetValue<int>(), back["old"]["id"]!.GetValue<int>());
        Assert.True(back["old"]["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Dropped_table_leaves_the_metadata()
    {
        var admin = await Seeded.AdminAsync(_app);
        var path = TargetDatabases.Sqlite("CREATE TABLE keep (id INTEGER PRIMARY KEY); CREATE TABLE gone (id INTEGER PRIMARY KEY);");
        var id = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (goneId, _) = await TargetDatabases.TableAsync(admin, id, "gone");
        TargetDatabases.ExecSqlite(path, "DROP TABLE gone;");
        (await admin.Post($"/api/database/{id}/sync_schema")).Expect(HttpStatusCode.OK);
        var tables = (await admin.Get($"/api/database/{id}/metadata")).Json["tables"]!.AsArray().Select(t => t!["name"]!.GetValue<string>());
        Assert.Equal(["keep"], tables);
        (await admin.Get($"/api/table/{goneId}/query_metadata")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Postgres_types_keys_and_identity_columns_are_read()
    {
        var admin = await Seeded.AdminAsync(_app);
        var name = await TargetDatabases.PostgresAsync("""
            CREATE TYPE mood AS ENUM ('happy', 'sad');
            CREATE TABLE venues (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
            CREATE TABLE everything (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s int2, i int4, b int8, n numeric(10,2), r float4, d float8, flag bool,
              t text, v varchar(20), c char(3), m mood, day date, ts timestamp, tz timestamptz, tm time, ttz timetz, u uuid,
              j json, jb jsonb, raw bytea, arr int4[], addr inet,
              venue_id int NOT NULL REFERENCES venues(id), kind text NOT NULL DEFAULT 'x');
            CREATE TABLE keyed (code uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text);
            """);
        var id = await TargetDatabases.RegisterAsync(admin, "postgres", TargetDatabases.PostgresDetails(name));
        var (_, f) = await TargetDatabases.TableAsync(admin, id, "everything");
        AssertTypes(f, ("id", "type/BigInteger"), ("s", "type/Integer"), ("i", "type/Integer"), ("b", "type/BigInteger"), ("n", "type/Decimal"),
            ("r", "type/Float"), ("d", "type/Float"), ("flag", "type/Boolean"), ("t", "type/Text"), ("v", "type/Text"), ("c", "type/Text"),
            ("m", "type/Text"), ("day", "type/Date"), ("ts", "type/DateTime"), ("tz", "type/DateTimeWithTZ"), ("tm", "type/Time"),
            ("ttz", "type/Time"), ("u", "type/UUID"), ("j", "type/JSON"), ("jb", "type/JSON"), ("raw", "type/*"), ("arr", "type/*"), ("addr", "type/*"));
        Assert.True(f["id"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.Equal("type/PK", f["id"]["semantic_type"]!.GetValue<string>());
        Assert.True(f["venue_id"]["database_required"]!.GetValue<bool>());
        Assert.False(f["kind"]["database_required"]!.GetValue<bool>());
        var (_, venues) = await TargetDatabases.TableAsync(admin, id, "venues");
        Assert.True(venues["id"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.Equal(venues["id"]["id"]!.GetValue<int>(), f["venue_id"]["fk_target_field_id"]!.GetValue<int>());
        var (_, keyed) = await TargetDatabases.TableAsync(admin, id, "keyed");
        Assert.False(keyed["code"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.False(keyed["code"]["database_required"]!.GetValue<bool>());
        Assert.Equal("public", (await admin.Get($"/api/database/{id}/metadata")).Json["tables"]![0]!["schema"]!.GetValue<string>());
    }

    [Fact]
    public async Task MariaDb_types_keys_and_auto_increment_are_read()
    {
        var admin = await Seeded.AdminAsync(_app);
        var name = await TargetDatabases.MySqlAsync("""
            CREATE TABLE venues (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE) ENGINE=InnoDB;
            CREATE TABLE everything (
              id BIGINT AUTO_INCREMENT PRIMARY KEY, flag TINYINT(1), flag2 BOOL, tiny TINYINT, i INT, m MEDIUMINT, amount DECIMAL(10,2),
              f FLOAT, d DOUBLE, c CHAR(3), v VARCHAR(20), t TEXT, e ENUM('a','b'), day DATE, dt DATETIME, ts TIMESTAMP NULL, tm TIME,
              raw BLOB, venue_id INT NOT NULL, kind VARCHAR(10) NOT NULL DEFAULT 'x', note VARCHAR(10) NULL,
              FOREIGN KEY (venue_id) REFERENCES venues(id)) ENGINE=InnoDB;
            """);
        var id = await TargetDatabases.RegisterAsync(admin, "mysql", TargetDatabases.MySqlDetails(name));
        var (_, f) = await TargetDatabases.TableAsync(admin, id, "everything");
        AssertTypes(f, ("id", "type/BigInteger"), ("flag", "type/Boolean"), ("flag2", "type/Boolean"), ("tiny", "type/Integer"), ("i", "type/Integer"),
            ("m", "type/Integer"), ("amount", "type/Decimal"), ("f", "type/Float"), ("d", "type/Float"), ("c", "type/Text"), ("v", "type/Text"),
            ("t", "type/Text"), ("e", "type/Text"), ("day", "type/Date"), ("dt", "type/DateTime"), ("ts", "type/DateTime"), ("tm", "type/Time"),
            ("raw", "type/*"));
        Assert.True(f["id"]["database_is_auto_increment"]!.GetValue<bool>());
        Assert.Equal("type/PK", f["id"]["semantic_type"]!.GetValue<string>());
        Assert.True(f["venue_id"]["database_required"]!.GetValue<bool>());
        Assert.False(f["kind"]["database_required"]!.GetValue<bool>());
        Assert.False(f["note"]["database_required"]!.GetValue<bool>());
        Assert.True(f["note"]["database_default"] is null);
        var (_, venues) = await TargetDatabases.TableAsync(admin, id, "venues");
        Assert.Equal(venues["id"]["id"]!.GetValue<int>(), f["venue_id"]["fk_target_field_id"]!.GetValue<int>());
        Assert.Equal("type/FK", f["venue_id"]["semantic_type"]!.GetValue<string>());
    }
}
