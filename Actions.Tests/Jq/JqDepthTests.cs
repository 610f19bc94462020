using System.Text;
using System.Text.Json.Nodes;
using Actions.Data.Jq;

namespace Actions.Tests.Jq;

/// <summary>
/// Nesting limits of the jq parser and evaluator: at the limit a program compiles and evaluates, one level past it
/// (and far past it) it is a compile error, never a stack overflow, which would end the test host as it ended the app.
/// </summary>
public sealed class JqDepthTests
{
    private const int Limit = JqProgram.MaxDepth;
    private const string TooDeep = "too deeply nested (more than 256 levels)";

    /// <summary>Each recursive construct, nested n levels, with its input and its output at the limit.</summary>
    private static readonly Dictionary<string, (Func<int, string> Program, string Input, Func<int, string> Output)> Constructs = new()
    {
        ["parentheses"] = (n => Repeat("(", n) + "." + Repeat(")", n), "1", _ => "1"),
        ["arrays"] = (n => Repeat("[", n) + "." + Repeat("]", n), "1", n => Repeat("[", n) + "1" + Repeat("]", n)),
        ["objects"] = (n => Repeat("{a:", n) + "." + Repeat("}", n), "1", n => Repeat("{\"a\":", n) + "1" + Repeat("}", n)),
        ["object values negated"] = (n => "{a:" + Repeat("-", n - 1) + ".}", "1", n => n % 2 == 0 ? "{\"a\":-1}" : "{\"a\":1}"),
        ["unary minus"] = (n => Repeat("-", n) + ".", "1", n => n % 2 == 0 ? "1" : "-1"),
        ["string interpolations"] = (Interpolations, "1", _ => "\"1\""),
        ["sums"] = (n => "1" + Repeat("+1", n), "null", n => (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ["products"] = (n => "2" + Repeat("*1", n), "null", _ => "2"),
        ["field chains"] = (n => Repeat(".a", n), "null", _ => "null"),
        ["optional chains"] = (n => "1" + Repeat("?", n), "null", _ => "1"),
        ["try"] = (n => Repeat("try ", n) + "1", "null", _ => "1"),
        ["if"] = (n => Repeat("if . then ", n) + "." + Repeat(" else . end", n), "1", _ => "1"),
        ["elif"] = (n => "if false then 0 " + Repeat("elif false then 0 ", n - 2) + "elif true then 1 else 2 end", "null", _ => "1"),
        ["calls"] = (n => Repeat("first(", n) + "." + Repeat(")", n), "1", _ => "1"),
        ["indexes"] = (n => Repeat(".[", n) + "0" + Repeat("]", n), "[0]", _ => "0"),
        ["and"] = (n => "true" + Repeat(" and true", n), "null", _ => "true"),
        ["or"] = (n => "false" + Repeat(" or false", n), "null", _ => "false"),
        ["alternatives"] = (n => Repeat("null // ", n) + "1", "null", _ => "1"),
    };

    public static TheoryData<string> ConstructNames() => new(Constructs.Keys);

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * Math.Max(n, 0)).Insert(0, s, Math.Max(n, 0)).ToString();

    // "\("\(…)")": each level a string whose interpolation holds the next.
    private static string Interpolations(int n) => Repeat("\"\\(", n) + "." + Repeat(")\"", n);

    /// <summary>Runs on a thread with 1 MB of stack, two thirds of a thread pool thread's (1.5 MB), to show the margin.</summary>
    private static T OnSmallStack<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = f();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, 1024 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result;
    }

    private static string RunToJson(string program, JsonNode? input) =>
        string.Join(" ", JqProgram.Compile(program).Run(input).Select(JqProgram.ToJson));

    [Theory]
    [MemberData(nameof(ConstructNames))]
    public void At_the_limit_a_program_compiles_and_evaluates(string construct)
    {
        var (program, input, output) = Constructs[construct];
        Assert.Equal(output(Limit), OnSmallStack(() => RunToJson(program(Limit), JsonNode.Parse(input))));
    }

    [Theory]
    [MemberData(nameof(ConstructNames))]
    public void One_level_past_the_limit_is_a_compile_error(string construct)
    {
        var error = Assert.Throws<JqSyntaxException>(() => JqProgram.Compile(Constructs[construct].Program(Limit + 1)));
        Assert.Equal(TooDeep, error.Reason);
        Assert.Equal(error.Message, JqProgram.Check(Constructs[construct].Program(Limit + 1)));
    }

    [Theory]
    [MemberData(nameof(ConstructNames))]
    public void Twenty_thousand_levels_are_a_compile_error(string construct) =>
        Assert.Equal(TooDeep, Assert.Throws<JqSyntaxException>(() => JqProgram.Compile(Constructs[construct].Program(20_000))).Reason);

    [Theory]
    [InlineData("parentheses")]
    [InlineData("arrays")]
    [InlineData("sums")]
    [InlineData("string interpolations")]
    [InlineData("unary minus")]
    public void A_million_levels_are_a_compile_error(string construct) =>
        Assert.Equal(TooDeep, Assert.Throws<JqSyntaxException>(() => JqProgram.Compile(Constructs[construct].Program(1_000_000))).Reason);

    [Fact]
    public void Long_flat_pipes_commas_objects_and_interpolations_are_not_nesting()
    {
        const int n = 100_000;
        Assert.Equal("1", OnSmallStack(() => RunToJson(Repeat(". | ", n) + ".", JsonValue.Create(1))));
        Assert.Equal($"{n + 1}", OnSmallStack(() => RunToJson("[1" + Repeat(", 1", n) + "] | length", null)));
        var keys = string.Join(", ", Enumerable.Range(0, n).Select(i => $"k{i}: {i}"));
        Assert.Equal($"{n}", OnSmallStack(() => RunToJson("{" + keys + "} | length", null)));
        Assert.Equal($"{n}", OnSmallStack(() => RunToJson("\"" + Repeat("\\(.)", n) + "\" | length", JsonValue.Create(1))));
        Assert.Equal("1", OnSmallStack(() => RunToJson("{a: " + Repeat(". | ", n) + ".} | .a", JsonValue.Create(1))));
    }

    [Fact]
    public void Recursion_that_goes_deep_without_deep_values_runs()
    {
        const string program = "[limit(100000; recurse(if . < 100000 then . + 1 else empty end))] | length";
        Assert.Equal("100000", OnSmallStack(() => RunToJson(program, JsonValue.Create(1))));
    }

    /// <summary>Arrays in arrays n deep around 0 (built without a parser, which has its own limit).</summary>
    private static JsonNode DeepArray(int n)
    {
        JsonNode node = JsonValue.Create(0);
        for (var i = 0; i < n; i++) node = new JsonArray(node);
        return node;
    }

    private static JsonNode DeepObject(int n)
    {
        JsonNode node = JsonValue.Create(0);
        for (var i = 0; i < n; i++) node = new JsonObject { ["a"] = node };
        return node;
    }

    [Theory]
    [InlineData(".", "deep")]
    [InlineData("tostring | length", "1023")]
    [InlineData("tojson | length", "1023")]
    [InlineData(". == .", "true")]
    [InlineData(". <= .", "true")]
    [InlineData("[., .] | add | length", "2")]
    [InlineData("[., .] | sort | length", "2")]
    [InlineData("[., .] | unique | length", "1")]
    [InlineData("contains(.)", "true")]
    [InlineData("flatten", "[0]")]
    [InlineData("[..] | length", "512")]
    [InlineData("[.[]] | length", "1")]
    [InlineData("\"\\(.)\" | length", "1023")]
    public void Values_nested_to_the_limit_are_walked_without_running_out_of_stack(string program, string output)
    {
        // One level below the limit, so that [., .] fits.
        var input = DeepArray(JqProgram.MaxValueDepth - 1);
        var expected = output == "deep" ? JqProgram.ToJson(input) : output;
        Assert.Equal(expected, OnSmallStack(() => RunToJson(program, input)));
    }

    [Theory]
    [InlineData(". * .", 1)]
    [InlineData(". == .", 1)]
    [InlineData("tostring | length", 1)]
    [InlineData("to_entries | length", 1)]
    [InlineData("[..] | length", 1)]
    public void Objects_nested_to_the_limit_are_walked_too(string program, int outputs)
    {
        var input = DeepObject(JqProgram.MaxValueDepth - 1);
        Assert.Equal(outputs, OnSmallStack(() => JqProgram.Compile(program).Run(input)).Count);
    }

    [Theory]
    [InlineData("[.]")]
    [InlineData("{a: .}")]
    [InlineData("map([.])")]
    [InlineData("[.[]] | to_entries")]
    [InlineData("[.[]] | group_by(.)")]
    public void Building_a_value_past_the_limit_is_a_runtime_error(string program)
    {
        var input = DeepArray(JqProgram.MaxValueDepth);
        var error = Assert.Throws<JqRuntimeException>(() => JqProgram.Compile(program).Run(input));
        Assert.Equal("Value nested too deeply (more than 512 levels)", error.Message);
    }

    [Theory]
    [InlineData("[.[]] | to_entries | length", "1")]
    [InlineData("[.[]] | group_by(.) | length", "1")]
    [InlineData("map(.) | length", "1")]
    public void Builders_at_the_limit_work(string program, string output) =>
        Assert.Equal(output, RunToJson(program, DeepArray(JqProgram.MaxValueDepth - 1)));

    [Theory]
    [InlineData("last(limit(100000; recurse([.])))")]
    [InlineData("[" + "[" + "[.]" + "]" + "] | " + "[[[[.]]]] | [[[[.]]]] | [[[[.]]]] | [[[[.]]]] | [[[[.]]]]")]
    public void Values_built_deeper_and_deeper_stop_at_the_limit(string program)
    {
        var deepInput = DeepArray(JqProgram.MaxValueDepth - 10);
        var error = Assert.Throws<JqRuntimeException>(() => OnSmallStack(() => JqProgram.Compile(program).Run(deepInput)));
        Assert.Contains("nested too deeply", error.Message);
    }

    [Fact]
    public void Pipes_of_builders_cannot_nest_values_past_the_limit()
    {
        var program = Repeat("[" + Repeat("[", 250) + "." + Repeat("]", 250) + "] | ", 100) + ".";
        var error = Assert.Throws<JqRuntimeException>(() => OnSmallStack(() => JqProgram.Compile(program).Run(null)));
        Assert.Equal("Value nested too deeply (more than 512 levels)", error.Message);
    }

    [Fact]
    public void An_input_past_the_value_limit_is_a_runtime_error()
    {
        Assert.Equal("Value nested too deeply (more than 512 levels)",
            Assert.Throws<JqRuntimeException>(() => JqProgram.Compile(".").Run(DeepArray(JqProgram.MaxValueDepth + 1))).Message);
        Assert.Single(JqProgram.Compile(".").Run(DeepArray(JqProgram.MaxValueDepth)));
    }

    [Fact]
    public void Fromjson_parses_as_deep_as_jq_does()
    {
        var at = "\"" + Repeat("[", 256) + Repeat("]", 256) + "\"";
        Assert.Equal(Repeat("[", 256) + Repeat("]", 256), RunToJson(at + " | fromjson", null));
        Assert.Throws<JqRuntimeException>(() => RunToJson("\"" + Repeat("[", 257) + Repeat("]", 257) + "\" | fromjson", null));
    }

    [Theory]
    [InlineData("\"ab\" * 1e9")]
    [InlineData("\"ab\" * 6e6")]
    [InlineData("\"abcd\" * 1000000 | . + . | . + . | . + .")]
    public void Strings_past_the_length_limit_are_a_runtime_error(string program) =>
        Assert.Equal("String too long (more than 10485760 characters)", Assert.Throws<JqRuntimeException>(() => RunToJson(program, null)).Message);

    [Theory]
    [InlineData("[range(1e9)] | length", "Program builds too much (more than 2000000 values)")]
    [InlineData("[0 | recurse(. + 1)] | length", "Program builds too much (more than 2000000 values)")]
    [InlineData("[.[], .[], .[], .[]] | [.[], .[], .[], .[]] | [.[], .[], .[], .[]] | length", "Program builds too much (more than 2000000 values)")]
    [InlineData("last(range(1e12))", "Program does too much work (more than 20000000 steps)")]
    public void Runaway_programs_are_a_runtime_error(string program, string message)
    {
        var input = new JsonArray(Enumerable.Range(0, 40_000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        Assert.Equal(message, Assert.Throws<JqRuntimeException>(() => JqProgram.Compile(program).Run(input)).Message);
    }

    [Fact]
    public void A_large_answer_within_the_budget_is_built()
    {
        var input = new JsonArray(Enumerable.Range(0, 200_000).Select(i => (JsonNode?)new JsonObject { ["id"] = i, ["name"] = $"n{i}" }).ToArray());
        Assert.Equal("200000", RunToJson("map({id, name}) | length", input));
    }
}
