using System.Text;
using System.Text.Json.Nodes;
using Actions.Data.Jq;

namespace Actions.Tests.Jq;

/// <summary>
/// Generated jq programs and inputs (seeded, so every run is the same): random text, nesting and unicode never make
/// the parser or the evaluator fail other than with a jq error, and random programs of the spec's subset agree with
/// Debian's jq 1.6 on random inputs.
/// </summary>
public sealed class JqPropertyTests
{
    private const int Seed = 20261201;

    // Pieces of programs: tokens, brackets, string pieces with escapes and interpolations, odd unicode.
    private static readonly string[] Pieces =
    [
        ".", ".a", ".[", "]", "[", "(", ")", "{", "}", "\"", "\\(", "\\", "|", ",", ":", ";", "?", "+", "-", "*", "/", "%",
        "==", "<", ">=", "and", "or", "not", "//", "if", "then", "elif", "else", "end", "try", "catch", "$", "$x", "..",
        "0", "1", "2.5", "1e3", "9", "-1", "\"a\"", "\"\\u00e9\"", "\"\\ud800\"", "\"\\(.)\"", "null", "true", "length",
        "keys", "has", "select", "map", "first", "last", "type", "tostring", "tonumber", "join", "ascii_downcase",
        "test", "to_entries", "from_entries", "add", "any", "all", "empty", "error", "tojson", "fromjson", "explode",
        "implode", "sort", "unique", "group_by", "flatten", "contains", "split", "ltrimstr", "reduce", "as", "def",
        " ", "\n", "\t", "#", "\0", "\u0001", "\u007f", "\ud800", "\udc00", "\ud83d\ude00", "é", "\uffff", "'", "`", "e",
        "\"\\ud83d\\ude00\"", "\"\\u0000\"", "{a}", "{(\"k\"): 1}", "[.[]]", ".[1:]", ".[-1]", "\"x\" * 3",
        "[55296]", "[1114112]", "[-1]", "[65, 0]", "\"[[[1]]]\"", "\"1e1000\"",
    ];

    private static readonly string[] OddStrings =
    [
        "", "a", "é", "😀", "\ud800", "\udc00x", "a\0b", "\u0001\u001f\u007f", "\n\r\t", "\"\\", "\uffff", "😀😀a", "A b",
    ];

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 30);
        for (var i = 0; i < count; i++) text.Append(Pieces[random.Next(Pieces.Length)]);
        return text.ToString();
    }

    /// <summary>Openers and closers around a core, nested 0 to 100,000 deep, some of them unbalanced.</summary>
    private static string RandomNesting(Random random)
    {
        string[][] pairs = [["(", ")"], ["[", "]"], ["{a:", "}"], ["\"\\(", ")\""], ["-", ""], ["try ", ""], ["first(", ")"],
            ["if . then ", " else . end"], [".[", "]"], ["1 + ", ""], ["", "?"], ["", ".a"], ["", " | ."], ["", ", 1"]];
        var depth = random.Next(20) switch { 0 => random.Next(100_000), 1 => random.Next(2_000), < 8 => random.Next(240, 270), _ => random.Next(60) };
        // Mixed constructs often stop early at a syntax error ({a: 1 + …}); one construct repeated goes all the way.
        var only = random.Next(2) == 0 ? pairs[random.Next(pairs.Length)] : null;
        var open = new StringBuilder();
        var closers = new List<string>();
        for (var i = 0; i < depth; i++)
        {
            var pair = only ?? pairs[random.Next(pairs.Length)];
            open.Append(pair[0]);
            closers.Add(pair[1]);
        }
        closers.Reverse();
        var close = string.Concat(closers);
        var core = random.Next(3) switch { 0 => ".", 1 => "\"" + OddStrings[random.Next(OddStrings.Length)].Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"", _ => "1" };
        var text = open + core + close;
        return random.Next(8) == 0 && text.Length > 0 ? text.Remove(random.Next(text.Length), 1) : text;
    }

    private static JsonNode? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 2 ? 5 : 8))
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonValue.Create(random.Next(-5, 100) / (random.Next(3) == 0 ? 4.0 : 1.0));
            case 3:
            case 4: return JsonValue.Create(OddStrings[random.Next(OddStrings.Length)]);
            case 5:
            case 6:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--) array.Add(RandomValue(random, depth + 1));
                return array;
            default:
                var obj = new JsonObject();
                foreach (var key in new[] { "a", "b", "a b", "😀" }.Where(_ => random.Next(2) == 0)) obj[key] = RandomValue(random, depth + 1);
                return obj;
        }
    }

    /// <summary>Runs a program on an input; anything but a jq error (syntax or runtime) is a failure.</summary>
    private static string? Crash(string program, JsonNode? input)
    {
        try
        {
            var compiled = JqProgram.Compile(program);
            foreach (var output in compiled.Run(input, maxOutputs: 1_000))
            {
                JqProgram.ToJson(output);
                JqProgram.Sanitize(output)?.ToJsonString();
            }
            return null;
        }
        catch (Exception e) when (e is JqSyntaxException or JqRuntimeException)
        {
            return null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name} for {JsonValue.Create(program).ToJsonString()} on {JqProgram.ToJson(input)}: {e.Message}";
        }
    }

    [Fact]
    public void Random_text_compiles_or_is_a_syntax_error_and_runs_or_is_a_runtime_error()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        for (var i = 0; i < 4_000; i++)
        {
            var program = RandomText(random);
            if (Crash(program, RandomValue(random, 0)) is { } failure) failures.Add(failure);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void Random_nesting_and_unicode_compile_or_are_a_syntax_error()
    {
        var random = new Random(Seed + 1);
        var failures = new List<string>();
        for (var i = 0; i < 1_000; i++)
        {
            var program = RandomNesting(random);
            if (Crash(program, RandomValue(random, 0)) is { } failure) failures.Add(failure);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    // ---- Random programs of the spec's subset against Debian's jq ----

    private static readonly string[] Literals =
        ["0", "1", "2", "-3", "2.5", "1e3", "3.0", "0.1", "1.5e-7", "12345678901234567890", "1e17", "\"a\"", "\"😀é\"", "\"a,b\"", "\"\"", "null", "true", "false"];

    private static readonly string[] Patterns = ["a", "^.$", "^..$", "b$", "[ab]", "\\\\d", "^a.b", "😀", ".", "^$", "A"];

    private static string Term(Random random, int depth)
    {
        var leaf = depth <= 0;
        return random.Next(leaf ? 10 : 32) switch
        {
            0 => ".",
            1 => ".a",
            2 => ".b",
            3 => ".[0]",
            4 => "." + "\"a b\"",
            5 or 6 => Literals[random.Next(Literals.Length)],
            7 => new[] { "length", "keys", "type", "tostring", "first", "last", "add", "any", "all", "not", "ascii_downcase", "ascii_upcase", "to_entries", "tonumber", "from_entries", "empty" }[random.Next(16)],
            8 => $"has({new[] { "\"a\"", "0", "\"😀\"" }[random.Next(3)]})",
            9 => $"test(\"{Patterns[random.Next(Patterns.Length)]}\"{(random.Next(4) == 0 ? "; \"i\"" : "")})",
            10 => $"[{Expr(random, depth - 1)}]",
            11 => $"{{a: {Term(random, depth - 1)}, \"b\": {Term(random, depth - 1)}}}",
            12 => "{a}",
            13 => $"{{({new[] { "\"k\"", "\"😀\"", ".a", "type" }[random.Next(4)]}): {Term(random, depth - 1)}}}",
            14 => $"({Expr(random, depth - 1)})",
            15 => $"select({Expr(random, depth - 1)})",
            16 => $"map({Expr(random, depth - 1)})",
            17 => $"\"x\\({Expr(random, depth - 1)})y\"",
            18 => $"if {Expr(random, depth - 1)} then {Expr(random, depth - 1)} elif {Expr(random, depth - 1)} then {Expr(random, depth - 1)} else {Expr(random, depth - 1)} end",
            19 => $"join({new[] { "\",\"", "\"\"", "\"😀\"" }[random.Next(3)]})",
            20 => $"[{Term(random, depth - 1)}?]",
            21 => $"[try {Term(random, depth - 1)}]",
            22 => ".[1:]",
            23 => ".[]",
            24 => $"error(\"boom\")",
            25 => ".[-1:]",
            // jq 1.6's any(f) is false when f gives two truthy values for one element (fixed in 1.7, not copied): one value each.
            26 => $"any(first({Expr(random, depth - 1)}))",
            27 => $"all(first({Expr(random, depth - 1)}))",
            28 => "tojson",
            29 => ".[\"a\"]",
            30 => "-" + Term(random, depth - 1),
            _ => $"({Term(random, depth - 1)} // {Term(random, depth - 1)})",
        };
    }

    private static string Expr(Random random, int depth)
    {
        if (depth <= 0 || random.Next(3) == 0) return Term(random, depth);
        string[] ops = ["|", ",", "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "and", "or"];
        return $"{Term(random, depth - 1)} {ops[random.Next(ops.Length)]} {Term(random, depth - 1)}";
    }

    private static readonly string[] InputNumbers = ["1e3", "3.0", "1.2345678901234567e19", "-0.0", "0.1", "1.5e-7", "12345678901234567890", "7", "-2", "0.5"];

    private static readonly string[] InputStrings = ["\"a\"", "\"ab\"", "\"😀\"", "\"a😀b\"", "\"A,b\"", "\"\\u0000x\"", "\"1e3\"", "\"3.0\"", "\"é\"", "\"\""];

    /// <summary>Random JSON text, numbers spelled as jq users spell them (1e3, 3.0…): no duplicate keys, no lone surrogates.</summary>
    private static string InputText(Random random, int depth)
    {
        switch (random.Next(depth > 2 ? 5 : 8))
        {
            case 0: return new[] { "null", "true", "false" }[random.Next(3)];
            case 1:
            case 2: return InputNumbers[random.Next(InputNumbers.Length)];
            case 3:
            case 4: return InputStrings[random.Next(InputStrings.Length)];
            case 5:
            case 6: return "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => InputText(random, depth + 1))) + "]";
            default:
                var keys = new[] { "a", "b", "a b", "😀" }.Where(_ => random.Next(2) == 0);
                return "{" + string.Join(",", keys.Select(k => $"\"{k}\":{InputText(random, depth + 1)}")) + "}";
        }
    }

    [Fact]
    public void Random_programs_of_the_subset_agree_with_jq()
    {
        Assert.True(File.Exists(JqDifferentialTests.JqPath), $"{JqDifferentialTests.JqPath} is missing");
        var random = new Random(Seed + 2);
        var failures = new List<string>();
        // 250 jq processes: a few seconds, even on a busy machine.
        for (var i = 0; i < 250; i++)
        {
            // A leading space: jq would read a program starting with '-' as an option.
            var program = " " + Expr(random, random.Next(1, 4));
            var input = InputText(random, 0);
            var expected = JqDifferentialTests.RunJq(program, input);
            var actual = JqDifferentialTests.RunOurs(program, input);
            if (expected != actual) failures.Add($"{program}  on  {input}\n    jq:   {expected}\n    ours: {actual}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} disagreements:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void A_catastrophic_pattern_answers()
    {
        // Oniguruma gives up with an error; the linear-time engine answers.
        var program = JqProgram.Compile("test(\"^(a+)+$\")");
        Assert.Equal("false", JqProgram.ToJson(program.Run(JsonValue.Create(new string('a', 5_000) + "!"))[0]));
        // A backreference needs the backtracking engine (bounded by a timeout).
        Assert.Equal("true", JqProgram.ToJson(JqProgram.Compile("test(\"^(a+)b\\\\1$\")").Run(JsonValue.Create("aabaa"))[0]));
    }

    [Fact]
    public void Regex_dot_is_one_code_point()
    {
        string Test(string pattern, string input) =>
            JqProgram.ToJson(JqProgram.Compile($"test({JsonValue.Create(pattern).ToJsonString()})").Run(JsonValue.Create(input))[0]);
        Assert.Equal("true", Test("^.$", "😀"));
        Assert.Equal("false", Test("^..$", "😀"));
        Assert.Equal("true", Test("^a.{2}$", "a😀😀"));
        Assert.Equal("false", Test("^\\.$", "😀"));
        Assert.Equal("false", Test("^[.]$", "😀"));
        Assert.Equal("true", Test("^\\\\.$", "\\😀"));
        Assert.Equal("false", Test("^.$", "\n"));
    }
}
