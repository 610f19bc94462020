using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;

namespace Actions.Tests.Unit;

public sealed class ValidationAndPasswordTests
{
    [Fact]
    public void Nested_keys_nest_in_both_maps_and_missing_reads_nil()
    {
        var errors = new ValidationErrors();
        errors.Add(["template", "method"], "enum of GET, POST, PUT, DELETE, PATCH", "FETCH");
        errors.Add(["name"], "string", null, missing: true);
        errors.Add(["html"], "string", 1);
        var html = new ValidationErrors();
        html.Add(["k"], "integer", "<b>");
        Assert.Equal("integer, received: \"<b>\"", html.ToJson()["specific-errors"]!["k"]![0]!.GetValue<string>());
        Assert.Equal(
            """{"errors":{"template":{"method":"enum of GET, POST, PUT, DELETE, PATCH"},"name":"string","html":"string"},"specific-errors":{"template":{"method":["enum of GET, POST, PUT, DELETE, PATCH, received: \"FETCH\""]},"name":["missing required key, received: nil"],"html":["string, received: 1"]}}""",
            errors.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Theory]
    [InlineData("""{"id": 3}""", 3)]
    [InlineData("""{"id": 3.0}""", 3)]
    [InlineData("""{"id": 0}""", null)]
    [InlineData("""{"id": -2}""", null)]
    [InlineData("""{"id": 2.5}""", null)]
    [InlineData("""{"id": "3"}""", null)]
    [InlineData("""{"id": 3000000000}""", null)]
    public void Positive_ints_accept_only_whole_positive_numbers(string json, int? expected)
    {
        var body = new RequestBody(JsonNode.Parse(json));
        Assert.Equal(expected, body.PositiveInt("id"));
        Assert.Equal(expected is null, body.Errors.Any);
    }

    [Fact]
    public void Positive_ints_built_in_code_are_read_like_parsed_ones()
    {
        Assert.Equal(3, RequestBody.AsPositiveInt(JsonValue.Create(3)));
        Assert.Equal(7, RequestBody.AsPositiveInt(JsonValue.Create(7L)));
        Assert.Equal(2, RequestBody.AsPositiveInt(JsonValue.Create(2.0)));
        Assert.Null(RequestBody.AsPositiveInt(JsonValue.Create(-1)));
        Assert.Null(RequestBody.AsPositiveInt(JsonValue.Create(1.5)));
    }

    [Fact]
    public void Strings_report_length_and_type_problems()
    {
        var body = new RequestBody(JsonNode.Parse("""{"name": "abcdef", "other": 1, "blank": "  "}"""));
        Assert.Null(body.String("name", maxLength: 5));
        Assert.Null(body.String("other"));
        Assert.Null(body.String("blank", nonBlank: true));
        Assert.Equal("ok", new RequestBody(JsonNode.Parse("""{"n": "ok"}""")).String("n", required: true, maxLength: 2));
        var json = body.Errors.ToJson();
        Assert.Equal("string with length <= 5", json["errors"]!["name"]!.GetValue<string>());
        Assert.Equal("string, received: 1", json["specific-errors"]!["other"]![0]!.GetValue<string>());
        Assert.Equal("value must be a non-blank string., received: \"  \"", json["specific-errors"]!["blank"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Sh0rt!", "Passwords must be at least 8 characters.")]
    [InlineData("NoSymbols123", "Passwords must have at least one non alphanumeric character.")]
    [InlineData("No-digits-Here", "Passwords must have at least one digit ('0'-'9').")]
    [InlineData("ALL-UPPER-123", "Passwords must have at least one lowercase ('a'-'z').")]
    [InlineData("all-lower-123", "Passwords must have at least one uppercase ('A'-'Z').")]
    [InlineData("Good-passw0rd", null)]
    public void Password_policy_uses_identity_rules_and_texts(string password, string? expected) =>
        Assert.Equal(expected, PasswordPolicy.Check(password));
}
