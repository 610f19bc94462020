using System.Text;
using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>A compiled jq filter node: given an input, yields zero or more outputs.</summary>
internal abstract record JqAst
{
    private int _depth = -1;

    public abstract IEnumerable<JsonNode?> Eval(JsonNode? input);

    /// <summary>The nodes this one evaluates.</summary>
    protected virtual IEnumerable<JqAst> Children => [];

    /// <summary>
    /// How deeply evaluating this node nests calls (0 for a leaf), which the parser bounds. Computed once from the
    /// children's depths; the parser asks every node as it builds it, bottom-up, so this never recurses far.
    /// </summary>
    public int Depth => _depth >= 0 ? _depth : _depth = ComputeDepth();

    protected virtual int ComputeDepth() => Children.Select(c => c.Depth + 1).DefaultIfEmpty(0).Max();
}

internal sealed record IdentityAst : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) { yield return input; }
}

internal sealed record RecurseAst : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) => JqValues.Recurse(input);
}

internal sealed record LiteralAst(JsonNode? Value) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) { yield return Value?.DeepClone(); }
}

internal sealed record IndexAst(JqAst Target, JqAst Key) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Target, Key];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        JqEval.GuardStack();
        foreach (var key in Key.Eval(input))
            foreach (var target in Target.Eval(input))
            {
                JqBudget.SpendStep();
                yield return JqValues.Index(target, key);
            }
    }
}

internal sealed record SliceAst(JqAst Target, JqAst? From, JqAst? To) : JqAst
{
    protected override IEnumerable<JqAst> Children => new[] { Target, From, To }.OfType<JqAst>();

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var to in To?.Eval(input) ?? [null])
            foreach (var from in From?.Eval(input) ?? [null])
                foreach (var target in Target.Eval(input))
                    yield return JqValues.Slice(target, from, to);
    }
}

internal sealed record IterateAst(JqAst Target) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Target];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var target in Target.Eval(input))
            foreach (var item in JqValues.Iterate(target))
            {
                JqBudget.SpendStep();
                yield return item;
            }
    }
}

/// <summary><c>try body</c>, <c>body?</c> and <c>try body catch handler</c>: errors end the body's outputs.</summary>
internal sealed record TryAst(JqAst Body, JqAst? Handler) : JqAst
{
    protected override IEnumerable<JqAst> Children => new[] { Body, Handler }.OfType<JqAst>();

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        using var e = Body.Eval(input).GetEnumerator();
        while (true)
        {
            JqRuntimeException? error = null;
            try
            {
                if (!e.MoveNext()) yield break;
            }
            catch (JqRuntimeException ex)
            {
                error = ex;
            }
            if (error is not null)
            {
                if (Handler is not null)
                    foreach (var o in Handler.Eval(error.Value?.DeepClone() ?? JsonValue.Create(error.Message))) yield return o;
                yield break;
            }
            yield return e.Current;
        }
    }
}

/// <summary><c>a | b | c …</c>: each stage runs on every output of the one before (flat, so a long pipe costs no call depth).</summary>
internal sealed record PipeAst(IReadOnlyList<JqAst> Stages) : JqAst
{
    protected override IEnumerable<JqAst> Children => Stages;

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var path in JqEval.DepthFirst(Stages.Count, input, (i, previous) => Stages[i].Eval(previous)))
            yield return path[^1];
    }
}

/// <summary><c>a, b, c …</c>: the outputs of each in turn.</summary>
internal sealed record CommaAst(IReadOnlyList<JqAst> Items) : JqAst
{
    protected override IEnumerable<JqAst> Children => Items;

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var item in Items)
            foreach (var o in item.Eval(input))
                yield return o;
    }
}

/// <summary><c>a // b</c>: the truthy outputs of <c>a</c> (its errors ignored), else the outputs of <c>b</c>.</summary>
internal sealed record AlternativeAst(JqAst Left, JqAst Right) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Left, Right];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        var any = false;
        // jq 1.6: errors on the left propagate; only null/false outputs are skipped.
        foreach (var l in Left.Eval(input))
        {
            if (!JqValues.IsTruthy(l)) continue;
            any = true;
            yield return l;
        }
        if (any) yield break;
        foreach (var r in Right.Eval(input)) yield return r;
    }
}

internal sealed record AndAst(JqAst Left, JqAst Right) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Left, Right];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var l in Left.Eval(input))
        {
            if (!JqValues.IsTruthy(l))
            {
                yield return JsonValue.Create(false);
                continue;
            }
            foreach (var r in Right.Eval(input)) yield return JsonValue.Create(JqValues.IsTruthy(r));
        }
    }
}

internal sealed record OrAst(JqAst Left, JqAst Right) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Left, Right];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var l in Left.Eval(input))
        {
            if (JqValues.IsTruthy(l))
            {
                yield return JsonValue.Create(true);
                continue;
            }
            foreach (var r in Right.Eval(input)) yield return JsonValue.Create(JqValues.IsTruthy(r));
        }
    }
}

/// <summary>Arithmetic and comparison; like jq, the right side is the outer loop.</summary>
internal sealed record BinaryAst(string Op, JqAst Left, JqAst Right) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Left, Right];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        JqEval.GuardStack();
        foreach (var r in Right.Eval(input))
            foreach (var l in Left.Eval(input))
            {
                JqBudget.SpendStep();
                yield return JqValues.Binary(Op, l, r);
            }
    }
}

internal sealed record NegateAst(JqAst Operand) : JqAst
{
    protected override IEnumerable<JqAst> Children => [Operand];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        JqEval.GuardStack();
        foreach (var v in Operand.Eval(input))
        {
            if (JqValues.TypeOf(v) != "number") throw new JqRuntimeException($"{JqValues.Describe(v)} cannot be negated");
            yield return JqValues.Number(-JqValues.ToDouble(v));
        }
    }
}

internal sealed record ArrayAst(JqAst? Body) : JqAst
{
    protected override IEnumerable<JqAst> Children => Body is null ? [] : [Body];

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        JqEval.GuardStack();
        var array = new JsonArray();
        if (Body is not null)
            foreach (var v in Body.Eval(input)) array.Add(JqValues.Nest(v));
        yield return array;
    }
}

internal sealed record ObjectAst(IReadOnlyList<(JqAst Key, JqAst Value)> Entries) : JqAst
{
    protected override IEnumerable<JqAst> Children => Entries.SelectMany(e => new[] { e.Key, e.Value });

    /// <summary>One object per combination of the entries' key/value outputs, the first entry outermost.</summary>
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var chosen in JqEval.DepthFirst<(string Key, JsonNode? Value)>(Entries.Count, default, (i, _) => Pairs(Entries[i], input)))
        {
            var obj = new JsonObject();
            foreach (var (k, v) in chosen) obj[k] = JqValues.Nest(v);
            yield return obj;
        }
    }

    private static IEnumerable<(string, JsonNode?)> Pairs((JqAst Key, JqAst Value) entry, JsonNode? input)
    {
        foreach (var key in entry.Key.Eval(input))
        {
            if (JqValues.TypeOf(key) != "string")
                throw new JqRuntimeException($"Cannot use {JqValues.Describe(key)} as object key");
            foreach (var value in entry.Value.Eval(input))
                yield return (key!.GetValue<string>(), value);
        }
    }
}

/// <summary>String interpolation; like jq, the last interpolation is the outer loop.</summary>
internal sealed record StringAst(IReadOnlyList<(string? Literal, JqAst? Expr)> Parts) : JqAst
{
    protected override IEnumerable<JqAst> Children => Parts.Select(p => p.Expr).OfType<JqAst>();

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        // Level i is part Count-1-i: a literal is its one text, an interpolation the text of each output.
        IEnumerable<string> Texts(int level)
        {
            var (literal, expr) = Parts[Parts.Count - 1 - level];
            return expr is null ? [literal!] : expr.Eval(input).Select(JqValues.ToText);
        }
        foreach (var chosen in JqEval.DepthFirst(Parts.Count, "", (level, _) => Texts(level)))
        {
            var text = new StringBuilder();
            for (var i = chosen.Length - 1; i >= 0; i--) text.Append(chosen[i]);
            yield return JsonValue.Create(text.ToString());
        }
    }
}

internal sealed record IfAst(IReadOnlyList<(JqAst Condition, JqAst Then)> Branches, JqAst Else) : JqAst
{
    protected override IEnumerable<JqAst> Children => Branches.SelectMany(b => new[] { b.Condition, b.Then }).Append(Else);

    // Each elif is evaluated inside the one before it, so it nests one level deeper.
    protected override int ComputeDepth() => Branches.Count + Children.Max(c => c.Depth);

    public override IEnumerable<JsonNode?> Eval(JsonNode? input) => Branch(input, 0);

    private IEnumerable<JsonNode?> Branch(JsonNode? input, int index)
    {
        if (index == Branches.Count)
        {
            foreach (var o in Else.Eval(input)) yield return o;
            yield break;
        }
        foreach (var c in Branches[index].Condition.Eval(input))
        {
            var outputs = JqValues.IsTruthy(c) ? Branches[index].Then.Eval(input) : Branch(input, index + 1);
            foreach (var o in outputs) yield return o;
        }
    }
}

internal sealed record CallAst(string Name, IReadOnlyList<JqAst> Args, int Position) : JqAst
{
    protected override IEnumerable<JqAst> Children => Args;

    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        JqEval.GuardStack();
        // Deferred, so that an error surfaces while enumerating (where try and ? can catch it).
        foreach (var o in JqBuiltins.Call(Name, Args, input)) yield return o;
    }
}

internal static class JqEval
{
    /// <summary>
    /// A second guard besides the parser's depth limit, whatever the thread's stack size: throws
    /// <see cref="InsufficientExecutionStackException"/> (a jq error for the caller of JqProgram) rather than overflow.
    /// </summary>
    public static void GuardStack() => System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();

    /// <summary>
    /// Depth-first over <paramref name="levels"/> levels with an explicit stack of enumerators, so that many levels
    /// (a long pipe, an object with many keys) cost no call depth: level i's values come from
    /// <c>next(i, the value chosen at level i-1)</c> (<paramref name="seed"/> for level 0). Yields the values chosen
    /// at every level, once per complete path, in an array that is reused between yields.
    /// </summary>
    public static IEnumerable<T[]> DepthFirst<T>(int levels, T seed, Func<int, T, IEnumerable<T>> next)
    {
        var chosen = new T[levels];
        if (levels == 0)
        {
            yield return chosen;
            yield break;
        }
        var stack = new List<IEnumerator<T>> { next(0, seed).GetEnumerator() };
        try
        {
            while (stack.Count > 0)
            {
                var top = stack[^1];
                if (!top.MoveNext())
                {
                    top.Dispose();
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }
                JqBudget.SpendStep();
                chosen[stack.Count - 1] = top.Current;
                if (stack.Count == levels) yield return chosen;
                else stack.Add(next(stack.Count, top.Current).GetEnumerator());
            }
        }
        finally
        {
            foreach (var e in stack) e.Dispose();
        }
    }
}
