using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;
using Actions.Data.Databases.MySql;
using Actions.Data.Databases.Postgres;
using Actions.Data.Databases.Sqlite;
using Actions.Data.Execution.Query;

namespace Actions.Tests.Engines;

/// <summary>
/// What each engine says of itself through <see cref="IDatabaseEngine"/> — the only thing runners and services may ask —
/// and the one value conversion: a JSON value of each base type as each engine binds it.
/// </summary>
public sealed class EngineSeamUnitTests
{
    private static readonly Dictionary<string, IDatabaseEngine> Engines = new()
    {
        ["sqlite"] = new SqliteEngine(), ["postgres"] = new PostgresEngine(), ["mysql"] = new MySqlEngine(),
    };

    [Fact]
    public void Each_engine_advertises_its_capabilities()
    {
        var sqlite = Engines["sqlite"];
        var postgres = Engines["postgres"];
        var mysql = Engines["mysql"];
        Assert.Equal(["sqlite", "postgres", "mysql"], Engines.Values.Select(e => e.Name));
        Assert.Equal([SqlDialect.Sqlite, SqlDialect.Postgres, SqlDialect.MySql], Engines.Values.Select(e => e.Dialect));

        // SQLite files have no password and no boolean type; only MySQL (not MariaDB) lacks INSERT … RETURNING.
        Assert.Equal([false, true, true], Engines.Values.Select(e => e.UsesPassword));
        Assert.Equal([true, false, false], Engines.Values.Select(e => e.BooleansAreIntegers));
        Assert.True(sqlite.ReturnsInsertedRows("3.46.1"));
        Assert.True(postgres.ReturnsInsertedRows("17.2"));
        Assert.True(mysql.ReturnsInsertedRows("11.4.4-MariaDB-deb12"));
        Assert.False(mysql.ReturnsInsertedRows("8.0.40"));
        Assert.Equal("LAST_INSERT_ID()", mysql.LastInsertedKey);
        Assert.Throws<NotSupportedException>(() => sqlite.LastInsertedKey);

        // Quoting, placeholders and paging.
        Assert.Equal("\"we\"\"ird\"", sqlite.Quote("we\"ird"));
        Assert.Equal("\"we\"\"ird\"", postgres.Quote("we\"ird"));
        Assert.Equal("`we``ird`", mysql.Quote("we`ird"));
        Assert.Equal(["\"t\"", "\"s\".\"t\"", "`t`"], [sqlite.QuoteTable(null, "t"), postgres.QuoteTable("s", "t"), mysql.QuoteTable("", "t")]);
        Assert.Equal(["@p1", "$2", "@p1"], Engines.Values.Select(e => e.Placeholder(1)));
        Assert.Equal(["@p1", "", "@p1"], Engines.Values.Select(e => e.ParameterName(1)));
        Assert.All(Engines.Values, e => Assert.Equal("LIMIT 10 OFFSET 20", e.Paging(10, 20)));
    }

    private static readonly Guid Key = Guid.Parse("7d444840-9dc0-11d1-b245-5ffdce74fad2");

    /// <summary>A base type, a JSON value, and what SQLite, PostgreSQL and MySQL bind for it (null: refused).</summary>
    public static TheoryData<string, string, object?, object?, object?> Conversions => new()
    {
        { BaseTypes.Integer, "42", 42L, 42L, 42L },
        { BaseTypes.Integer, "\"42\"", 42L, 42L, 42L },
        { BaseTypes.BigInteger, "2.0", 2L, 2L, 2L },
        { BaseTypes.Integer, "true", 1L, null, null },
        { BaseTypes.Integer, "\"x\"", null, null, null },
        { BaseTypes.Decimal, "12.5", 12.5d, 12.5m, 12.5m },
        { BaseTypes.Decimal, "\"3.25\"", 3.25d, 3.25m, 3.25m },
        { BaseTypes.Float, "1.5", 1.5d, 1.5d, 1.5d },
        { BaseTypes.Boolean, "true", 1L, true, true },
        { BaseTypes.Boolean, "\"false\"", 0L, false, false },
        { BaseTypes.Boolean, "0", 0L, false, false },
        { BaseTypes.Boolean, "2", null, null, null },
        { BaseTypes.Uuid, $"\"{Key}\"", Key.ToString(), Key, Key.ToString() },
        { BaseTypes.Uuid, "\"not-a-uuid\"", null, null, null },
        { BaseTypes.Date, "\"2025-03-01\"", "2025-03-01", new DateOnly(2025, 3, 1), new DateTime(2025, 3, 1) },
        { BaseTypes.Date, "\"2025-03-01T10:15:30\"", "2025-03-01", new DateOnly(2025, 3, 1), new DateTime(2025, 3, 1) },
        { BaseTypes.Date, "\"03/01/2025\"", null, null, null },
        { BaseTypes.DateTime, "\"2025-03-01T10:15:30\"", "2025-03-01 10:15:30", new DateTime(2025, 3, 1, 10, 15, 30), new DateTime(2025, 3, 1, 10, 15, 30) },
        { BaseTypes.DateTime, "\"2025-03-01 10:15:30.25\"", "2025-03-01 10:15:30.25", new DateTime(2025, 3, 1, 10, 15, 30, 250), new DateTime(2025, 3, 1, 10, 15, 30, 250) },
        // An offset is converted to UTC, whichever its sign.
        { BaseTypes.DateTime, "\"2025-03-01T10:15:30+02:00\"", "2025-03-01 08:15:30", new DateTime(2025, 3, 1, 8, 15, 30), new DateTime(2025, 3, 1, 8, 15, 30) },
        { BaseTypes.DateTime, "\"2025-03-01T10:15:30-05:00\"", "2025-03-01 15:15:30", new DateTime(2025, 3, 1, 15, 15, 30), new DateTime(2025, 3, 1, 15, 15, 30) },
        { BaseTypes.DateTimeWithTZ, "\"2025-03-01T10:15:30Z\"", "2025-03-01 10:15:30", new DateTime(2025, 3, 1, 10, 15, 30, DateTimeKind.Utc), new DateTime(2025, 3, 1, 10, 15, 30, DateTimeKind.Utc) },
        { BaseTypes.DateTime, "12", null, null, null },
        { BaseTypes.Time, "\"10:15\"", "10:15:00", new TimeOnly(10, 15), new TimeSpan(10, 15, 0) },
        { BaseTypes.Text, "\"Zoë\"", "Zoë", "Zoë", "Zoë" },
        { BaseTypes.Text, "12.50", "12.50", "12.50", "12.50" },
        { BaseTypes.Text, "true", "true", "true", "true" },
        { BaseTypes.Text, "{\"a\":1}", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void A_value_converts_the_same_way_for_every_caller(string baseType, string json, object? sqlite, object? postgres, object? mysql)
    {
        var expected = new Dictionary<string, object?> { ["sqlite"] = sqlite, ["postgres"] = postgres, ["mysql"] = mysql };
        foreach (var (name, engine) in Engines)
        {
            var converted = engine.TryToParameter(JsonNode.Parse(json)!, baseType, out var parameter);
            Assert.True(converted == expected[name] is not null, $"{name}: {baseType} {json} converted: {converted} ({parameter})");
            if (!converted) continue;
            Assert.Equal(expected[name]!.GetType(), parameter!.GetType());
            Assert.Equal(expected[name], parameter);
            if (parameter is DateTime d) Assert.Equal(((DateTime)expected[name]!).Kind, d.Kind);
        }
    }

    /// <summary>A template tag's value (query actions, native reads) binds as the column value of its kind would.</summary>
    [Theory]
    [InlineData("date", "\"2025-03-01\"", BaseTypes.Date)]
    [InlineData("date", "\"2025-03-01T10:15:30\"", BaseTypes.DateTime)]
    [InlineData("date", "\"2025-03-01T10:15:30+02:00\"", BaseTypes.DateTimeWithTZ)]
    [InlineData("number", "7", BaseTypes.BigInteger)]
    [InlineData("number", "\"7\"", BaseTypes.BigInteger)]
    [InlineData("number", "7.25", BaseTypes.Decimal)]
    [InlineData("number", "\"7.25\"", BaseTypes.Decimal)]
    [InlineData("boolean", "\"true\"", BaseTypes.Boolean)]
    [InlineData("text", "\"x\"", BaseTypes.Text)]
    [InlineData("text", "5", BaseTypes.Text)]
    public void A_tag_value_binds_as_the_column_value_of_its_kind(string tagType, string json, string baseType)
    {
        foreach (var engine in Engines.Values)
        {
            Assert.True(TagValues.TryToParameter(engine, tagType, JsonNode.Parse(json)!, out var tagged), $"{engine.Name}: {tagType} {json}");
            Assert.True(engine.TryToParameter(JsonNode.Parse(json)!, baseType, out var column));
            Assert.Equal(column, tagged);
            Assert.Equal(column?.GetType(), tagged?.GetType());
        }
    }

    [Theory]
    [InlineData("date", "\"03/01/2025\"")]
    [InlineData("date", "20250301")]
    [InlineData("number", "\"seven\"")]
    [InlineData("number", "true")]
    [InlineData("boolean", "\"yes\"")]
    public void A_tag_value_of_the_wrong_kind_is_refused(string tagType, string json)
    {
        foreach (var engine in Engines.Values) Assert.False(TagValues.TryToParameter(engine, tagType, JsonNode.Parse(json)!, out _), $"{engine.Name}: {tagType} {json}");
    }

    [Fact]
    public void A_text_tag_takes_a_list_or_an_object_as_its_json_text()
    {
        foreach (var engine in Engines.Values)
        {
            Assert.True(TagValues.TryToParameter(engine, "text", JsonNode.Parse("""{"a":[1]}""")!, out var parameter));
            Assert.Equal("""{"a":[1]}""", parameter);
        }
    }

    /// <summary>What SQLite stores reads back as the JSON that was written.</summary>
    [Theory]
    [InlineData(BaseTypes.DateTime, "\"2025-03-01T10:15:30\"")]
    [InlineData(BaseTypes.DateTime, "\"2025-03-01T10:15:30.25\"")]
    [InlineData(BaseTypes.Date, "\"2025-03-01\"")]
    [InlineData(BaseTypes.Boolean, "false")]
    [InlineData(BaseTypes.Time, "\"10:15:00\"")]
    public void Sqlite_reads_back_what_it_stored(string baseType, string json)
    {
        var engine = Engines["sqlite"];
        Assert.True(engine.TryToParameter(JsonNode.Parse(json)!, baseType, out var stored));
        Assert.Equal(json, engine.ToJson(stored, baseType)!.ToJsonString());
    }

    /// <summary>
    /// Date-time text that other writers of a SQLite file left with an offset reads as its UTC time, as the conversion
    /// stores one — not in the server's own time zone (on a server outside UTC, e.g. <c>TZ=America/New_York</c>, a
    /// parse into local time read <c>03:15:30</c> for the first case).
    /// </summary>
    [Theory]
    [InlineData("2025-03-01T10:15:30+02:00", "2025-03-01T08:15:30")]
    [InlineData("2025-03-01T10:15:30Z", "2025-03-01T10:15:30")]
    [InlineData("2025-03-01 10:15:30", "2025-03-01T10:15:30")]
    public void Sqlite_date_time_text_with_an_offset_reads_as_utc(string stored, string json)
    {
        Assert.Equal(json, Engines["sqlite"].ToJson(stored, BaseTypes.DateTime)!.GetValue<string>());
    }
}
