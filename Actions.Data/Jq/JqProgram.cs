using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>
/// A compiled jq filter (the spec's subset, jq 1.6 semantics), evaluated on System.Text.Json nodes.
/// Compile once and run many times; a program is immutable and thread-safe.
/// </summary>
public sealed class JqProgram
{
    private readonly JqAst _ast;

    private JqProgram(string text, JqAst ast)
    {
        Text = text;
        _ast = ast;
    }

    public string Text { get; }

    /// <summary>
    /// Compiles a program; throws <see cref="JqSyntaxException"/> naming the position of the problem, also when it
    /// nests more than <see cref="MaxDepth"/> levels deep.
    /// </summary>
    public static JqProgram Compile(string text)
    {
        try
        {
            return new(text, JqParser.Parse(text));
        }
        catch (InsufficientExecutionStackException)
        {
            throw JqParser.TooDeep(0);
        }
    }

    /// <summary>The deepest nesting a program may have (parentheses, brackets, interpolations, chains of operators).</summary>
    public const int MaxDepth = JqParser.MaxDepth;

    /// <summary>The deepest value (arrays and objects inside each other) an input may have or a program may build.</summary>
    public const int MaxValueDepth = JqValues.MaxValueDepth;

    /// <summary>Null when the program compiles, else the reason with its position.</summary>
    public static string? Check(string text)
    {
        try
        {
            Compile(text);
            return null;
        }
        catch (JqSyntaxException e)
        {
            return e.Message;
        }
    }

    /// <summary>Every output for the input; throws <see cref="JqRuntimeException"/> with jq's message on a runtime error.</summary>
    public IReadOnlyList<JsonNode?> Run(JsonNode? input, int maxOutputs = 10_000)
    {
        var outputs = new List<JsonNode?>();
        foreach (var o in Stream(input))
        {
            outputs.Add(o);
            if (outputs.Count > maxOutputs) throw new JqRuntimeException($"more than {maxOutputs} outputs");
        }
        return outputs;
    }

    /// <summary>The outputs one by one, as they are produced (a runtime error surfaces where jq's would).</summary>
    public IEnumerable<JsonNode?> Stream(JsonNode? input)
    {
        if (JqValues.DeeperThan(input, MaxValueDepth))
            throw new JqRuntimeException($"Value nested too deeply (more than {MaxValueDepth} levels)");
        return Guarded(_ast.Eval(input));
    }

    /// <summary>
    /// The outputs, each step of the evaluation within one <see cref="JqBudget"/>, with a thread stack too small for
    /// the evaluation turned into a jq error.
    /// </summary>
    private static IEnumerable<JsonNode?> Guarded(IEnumerable<JsonNode?> outputs)
    {
        var budget = new JqBudget();
        using var e = outputs.GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                using (budget.Enter()) more = e.MoveNext();
            }
            catch (InsufficientExecutionStackException)
            {
                throw new JqRuntimeException("Program nested too deeply for the stack");
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    /// <summary>Compact JSON as <c>jq -c</c> prints it.</summary>
    public static string ToJson(JsonNode? value) => JqValues.ToJson(value);

    /// <summary>A value safe for any JSON writer (NaN → null, infinities → the largest double, as jq prints them).</summary>
    public static JsonNode? Sanitize(JsonNode? value) => JqValues.Sanitize(value);
}
