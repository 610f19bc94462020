using System.Diagnostics;
using System.Text.Json.Nodes;
using Actions.Data.Jq;

namespace Actions.Tests.Jq;

/// <summary>
/// The jq evaluator against Debian's jq 1.6 program: for every expression/input pair of the corpus (hand-written)
/// and of the generated grid, outputs must be the same text, and an error in one must be an error in the other.
/// </summary>
public sealed class JqDifferentialTests
{
    internal const string JqPath = "/usr/bin/jq";

    public static IEnumerable<(string Filter, string Input)> HandWritten()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Jq", "corpus.txt");
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var tab = line.IndexOf('\t');
            yield return (line[..tab], line[(tab + 1)..]);
        }
    }

    /// <summary>Every filter of a small set on every input of a small set: shapes the hand-written cases miss.</summary>
    public static IEnumerable<(string Filter, string Input)> Generated()
    {
        string[] inputs =
        [
            "null", "true", "0", "-2.5", "\"\"", "\"Hello, World\"", "[]", "[3,\"b\",null,[1],{\"k\":1}]",
            "{}", "{\"a\":1,\"b\":[true,false],\"c\":{\"d\":\"x\"}}", "[{\"name\":\"n1\",\"n\":2},{\"name\":\"n2\",\"n\":1}]",
        ];
        string[] filters =
        [
            ".", ".a", ".[0]", ".[]", ".[]?", "length", "type", "keys?", "tostring", "[.[]?] | length", ". == null",
            ". // \"dflt\"", "[.. | type]", "if type == \"array\" then first else . end", ".[1:]?", "map(type)?", "to_entries?",
            "tojson", "[.[]? | select(. != null)]", "{t: type}", "add?", "any?", "(. | length) > 1", "\"<\\(.)>\"",
            "sort?", "has(\"a\")?", "[.[]? | .name?]",
        ];
        foreach (var f in filters)
            foreach (var i in inputs) yield return (f, i);
    }

    [Fact]
    public void Corpus_has_at_least_300_pairs() => Assert.True(HandWritten().Count() + Generated().Count() >= 300);

    [Fact]
    public void Hand_written_corpus_matches_jq() => AssertAllMatch(HandWritten());

    [Fact]
    public void Generated_grid_matches_jq() => AssertAllMatch(Generated());

    private static void AssertAllMatch(IEnumerable<(string Filter, string Input)> cases)
    {
        Assert.True(File.Exists(JqPath), $"{JqPath} is missing: run ./test.sh as root or apt-get install -y jq");
        var failures = new List<string>();
        foreach (var (filter, input) in cases)
        {
            var expected = RunJq(filter, input);
            var actual = RunOurs(filter, input);
            if (expected != actual) failures.Add($"{filter}  on  {input}\n    jq:   {expected}\n    ours: {actual}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures));
    }

    /// <summary>Outputs (one compact JSON per line) then, if any, "compile error" or "runtime error".</summary>
    internal static string RunJq(string filter, string input)
    {
        var start = new ProcessStartInfo(JqPath) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(filter);
        using var process = Process.Start(start)!;
        try
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // jq stopped before reading its input (a compile error).
        }
        var stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        var outputs = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var tail = process.ExitCode switch { 0 => "", 3 => "compile error", _ => "runtime error" };
        return string.Join(" | ", outputs.Append(tail));
    }

    internal static string RunOurs(string filter, string input)
    {
        JqProgram program;
        try
        {
            program = JqProgram.Compile(filter);
        }
        catch (JqSyntaxException)
        {
            return "compile error";
        }
        var outputs = new List<string>();
        var tail = "";
        try
        {
            foreach (var o in program.Stream(JsonNode.Parse(input))) outputs.Add(JqProgram.ToJson(o));
        }
        catch (JqRuntimeException)
        {
            tail = "runtime error";
        }
        return string.Join(" | ", outputs.Append(tail));
    }
}
