using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Http;

/// <summary>The secrets API (execution.md § HTTP actions, step 3): names, hosts, answers and who may call it.</summary>
public sealed class SecretApiTests : IDisposable
{
    private const string Forbidden = "You don't have permissions to do that.";
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static JsonObject Secret(JsonNode? name, JsonNode? hosts, string value = "s3cret-value") =>
        new() { ["name"] = name, ["value"] = value, ["allowed_hosts"] = hosts };

    private static JsonArray Hosts(params string[] hosts) => new(hosts.Select(h => (JsonNode?)JsonValue.Create(h)).ToArray());

    private static void ExpectValidation(ApiClient.Response response, string key)
    {
        response.Expect(HttpStatusCode.BadRequest);
        var json = response.Json.AsObject();
        Assert.Equal([key], json["errors"]!.AsObject().Select(p => p.Key));
        Assert.Equal([key], json["specific-errors"]!.AsObject().Select(p => p.Key));
        Assert.IsType<string>(json["errors"]![key]!.GetValue<string>());
    }

    [Fact]
    public async Task A_secret_is_created_listed_updated_and_deleted_and_its_value_never_comes_back()
    {
        var admin = await Seeded.AdminAsync(_app);
        var hosts = Hosts("api.example.com", "*.example.org", "127.0.0.1", "[::1]", "2001:db8::1");
        var created = (await admin.Post("/api/secret", Secret("API_TOKEN", hosts).ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("s3cret-value", created.Body);
        Assert.Equal(["name", "allowed_hosts", "created_at", "updated_at"], created.Json.AsObject().Select(p => p.Key));
        Assert.Equal("API_TOKEN", created.Json["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(hosts, created.Json["allowed_hosts"]));

        var list = (await admin.Get("/api/secret")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("s3cret-value", list.Body);
        Assert.True(JsonNode.DeepEquals(new JsonArray(created.Json.DeepClone()), list.Json));

        (await admin.Post("/api/secret", Secret("API_TOKEN", Hosts("other.example.com"), "another").ToJsonString()))
            .ExpectPlain(HttpStatusCode.BadRequest, "A secret with that name already exists.");

        var rehosted = (await admin.Put("/api/secret/API_TOKEN", new { allowed_hosts = new[] { "api.example.net" } })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("""["api.example.net"]""", rehosted["allowed_hosts"]!.ToJsonString());
        Assert.Equal(created.Json["created_at"]!.GetValue<string>(), rehosted["created_at"]!.GetValue<string>());
        var revalued = (await admin.Put("/api/secret/API_TOKEN", new { value = "new-value" })).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("new-value", revalued.Body);
        Assert.Equal("""["api.example.net"]""", revalued.Json["allowed_hosts"]!.ToJsonString());
        Assert.Equal(["name", "allowed_hosts", "created_at", "updated_at"], revalued.Json.AsObject().Select(p => p.Key));

        (await admin.Put("/api/secret/NOPE", new { value = "x" })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        ExpectValidation(await admin.Put("/api/secret/API_TOKEN", new { allowed_hosts = Array.Empty<string>() }), "allowed_hosts");
        ExpectValidation(await admin.Put("/api/secret/API_TOKEN", new { allowed_hosts = new[] { "http://x.example.com" } }), "allowed_hosts");
        ExpectValidation(await admin.Put("/api/secret/API_TOKEN", new { value = 5 }), "value");
        var nothing = (await admin.Put("/api/secret/API_TOKEN", new { })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("missing required key, received: nil", nothing["specific-errors"]!["allowed_hosts"]![0]!.GetValue<string>());

        (await admin.Delete("/api/secret/API_TOKEN")).Expect(HttpStatusCode.NoContent);
        (await admin.Delete("/api/secret/API_TOKEN")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        Assert.Equal("[]", (await admin.Get("/api/secret")).Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task Secrets_are_listed_by_name_case_insensitively()
    {
        var admin = await Seeded.AdminAsync(_app);
        foreach (var name in new[] { "beta", "Alpha", "_z", "GAMMA" })
            (await admin.Post("/api/secret", Secret(name, Hosts("a.example.com")).ToJsonString())).Expect(HttpStatusCode.OK);
        var names = (await admin.Get("/api/secret")).Expect(HttpStatusCode.OK).Json.AsArray().Select(s => s!["name"]!.GetValue<string>());
        // Ordinal without case (culture-invariant): '_' sorts after the letters, as it does after 'Z'.
        Assert.Equal(["Alpha", "beta", "GAMMA", "_z"], names);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"1abc\"")]
    [InlineData("\"a-b\"")]
    [InlineData("\"a.b\"")]
    [InlineData("\"a b\"")]
    [InlineData("\"ä\"")]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("[\"A\"]")]
    public async Task Names_that_a_template_cannot_spell_are_a_validation_error_under_name(string name)
    {
        var admin = await Seeded.AdminAsync(_app);
        ExpectValidation(await admin.Post("/api/secret", Secret(JsonNode.Parse(name), Hosts("a.example.com")).ToJsonString()), "name");
    }

    [Fact]
    public async Task A_name_has_at_most_100_characters()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Post("/api/secret", Secret("_" + new string('a', 99), Hosts("a.example.com")).ToJsonString())).Expect(HttpStatusCode.OK);
        ExpectValidation(await admin.Post("/api/secret", Secret(new string('b', 101), Hosts("a.example.com")).ToJsonString()), "name");
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"api.example.com\"")]
    [InlineData("{\"a\": 1}")]
    [InlineData("[5]")]
    [InlineData("[null]")]
    [InlineData("[\"\"]")]
    [InlineData("[\"*\"]")]
    [InlineData("[\"*.\"]")]
    [InlineData("[\"*.*.example.com\"]")]
    [InlineData("[\"a.*.example.com\"]")]
    [InlineData("[\"*example.com\"]")]
    [InlineData("[\"http://api.example.com\"]")]
    [InlineData("[\"api.example.com:8080\"]")]
    [InlineData("[\"api.example.com/path\"]")]
    [InlineData("[\"user@api.example.com\"]")]
    [InlineData("[\"api .example.com\"]")]
    [InlineData("[\" api.example.com\"]")]
    [InlineData("[\"-api.example.com\"]")]
    [InlineData("[\"api-.example.com\"]")]
    [InlineData("[\"api..example.com\"]")]
    [InlineData("[\"api.example.com.\"]")]
    [InlineData("[\"api_x.example.com\"]")]
    [InlineData("[\"bücher.example\"]")]
    [InlineData("[\"*.127.0.0.1\"]")]
    [InlineData("[\"1.2.3\"]")]
    [InlineData("[\"256.1.1.1\"]")]
    [InlineData("[\"0x7f.0.0.1\"]")]
    [InlineData("[\"fe80::1%eth0\"]")]
    [InlineData("[\"[::1\"]")]
    [InlineData("[\"[127.0.0.1]\"]")]
    [InlineData("[\"ok.example.com\", \"bad host\"]")]
    public async Task Hosts_other_than_names_wildcard_domains_and_ip_literals_are_a_validation_error_under_allowed_hosts(string hosts)
    {
        var admin = await Seeded.AdminAsync(_app);
        ExpectValidation(await admin.Post("/api/secret", Secret("TOKEN", JsonNode.Parse(hosts)).ToJsonString()), "allowed_hosts");
        Assert.Equal("[]", (await admin.Get("/api/secret")).Body);
    }

    [Fact]
    public async Task A_label_of_64_characters_or_a_name_over_253_is_not_a_host_name()
    {
        var admin = await Seeded.AdminAsync(_app);
        ExpectValidation(await admin.Post("/api/secret", Secret("T", Hosts(new string('a', 64) + ".example.com")).ToJsonString()), "allowed_hosts");
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".com"; // 259 characters
        ExpectValidation(await admin.Post("/api/secret", Secret("T", Hosts(longName)).ToJsonString()), "allowed_hosts");
        (await admin.Post("/api/secret", Secret("T", Hosts(new string('a', 63) + ".example.com", "*.com", "localhost", "::ffff:10.0.0.1")).ToJsonString()))
            .Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_missing_value_is_a_validation_error()
    {
        var admin = await Seeded.AdminAsync(_app);
        ExpectValidation(await admin.Post("/api/secret", new { name = "T", allowed_hosts = new[] { "a.example.com" } }), "value");
        ExpectValidation(await admin.Post("/api/secret", new { name = "T", value = "", allowed_hosts = new[] { "a.example.com" } }), "value");
    }

    [Fact]
    public async Task Only_superusers_manage_secrets()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Post("/api/secret", Secret("KEPT", Hosts("a.example.com")).ToJsonString())).Expect(HttpStatusCode.OK);
        var (member, _) = await Seeded.UserAsync(admin);
        (await member.Post("/api/secret", Secret("MINE", Hosts("a.example.com")).ToJsonString())).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await member.Post("/api/secret", "{")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await member.Get("/api/secret")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await member.Put("/api/secret/KEPT", new { allowed_hosts = new[] { "evil.example.com" } })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await member.Put("/api/secret/NOPE", new { value = "x" })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await member.Delete("/api/secret/KEPT")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        var kept = (await admin.Get("/api/secret")).Json.AsArray().Single()!;
        Assert.Equal("""["a.example.com"]""", kept["allowed_hosts"]!.ToJsonString());
    }
}
