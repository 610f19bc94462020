using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>A compiled jq filter node: given an input, yields zero or more outputs.</summary>
internal abstract record JqAst
{
    public abstract IEnumerable<JsonNode?> Eval(JsonNode? input);
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
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var key in Key.Eval(input))
            foreach (var target in Target.Eval(input))
                yield return JqValues.Index(target, key);
    }
}

internal sealed record SliceAst(JqAst Target, JqAst? From, JqAst? To) : JqAst
{
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
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var target in Target.Eval(input))
            foreach (var item in JqValues.Iterate(target))
                yield return item;
    }
}

/// <summary><c>try body</c>, <c>body?</c> and <c>try body catch handler</c>: errors end the body's outputs.</summary>
internal sealed record TryAst(JqAst Body, JqAst? Handler) : JqAst
{
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

internal sealed record PipeAst(JqAst Left, JqAst Right) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var l in Left.Eval(input))
            foreach (var r in Right.Eval(l))
                yield return r;
    }
}

internal sealed record CommaAst(JqAst Left, JqAst Right) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) => Left.Eval(input).Concat(Right.Eval(input));
}

/// <summary><c>a // b</c>: the truthy outputs of <c>a</c> (its errors ignored), else the outputs of <c>b</c>.</summary>
internal sealed record AlternativeAst(JqAst Left, JqAst Right) : JqAst
{
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
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var r in Right.Eval(input))
            foreach (var l in Left.Eval(input))
                yield return JqValues.Binary(Op, l, r);
    }
}

internal sealed record NegateAst(JqAst Operand) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        foreach (var v in Operand.Eval(input))
        {
            if (JqValues.TypeOf(v) != "number") throw new JqRuntimeException($"{JqValues.Describe(v)} cannot be negated");
            yield return JqValues.Number(-JqValues.ToDouble(v));
        }
    }
}

internal sealed record ArrayAst(JqAst? Body) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        var array = new JsonArray();
        if (Body is not null)
            foreach (var v in Body.Eval(input)) array.Add(v?.DeepClone());
        yield return array;
    }
}

internal sealed record ObjectAst(IReadOnlyList<(JqAst Key, JqAst Value)> Entries) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) => Build(input, 0, []);

    private IEnumerable<JsonNode?> Build(JsonNode? input, int index, List<(string, JsonNode?)> done)
    {
        if (index == Entries.Count)
        {
            var obj = new JsonObject();
            foreach (var (k, v) in done) obj[k] = v?.DeepClone();
            yield return obj;
            yield break;
        }
        var (keyAst, valueAst) = Entries[index];
        foreach (var key in keyAst.Eval(input))
        {
            if (JqValues.TypeOf(key) != "string")
                throw new JqRuntimeException($"Cannot use {JqValues.Describe(key)} as object key");
            foreach (var value in valueAst.Eval(input))
            {
                done.Add((key!.GetValue<string>(), value));
                foreach (var o in Build(input, index + 1, done)) yield return o;
                done.RemoveAt(done.Count - 1);
            }
        }
    }
}

/// <summary>String interpolation; like jq, the last interpolation is the outer loop.</summary>
internal sealed record StringAst(IReadOnlyList<(string? Literal, JqAst? Expr)> Parts) : JqAst
{
    public override IEnumerable<JsonNode?> Eval(JsonNode? input) => Build(input, Parts.Count - 1, "");

    private IEnumerable<JsonNode?> Build(JsonNode? input, int index, string suffix)
    {
        if (index < 0)
        {
            yield return JsonValue.Create(suffix);
            yield break;
        }
        var (literal, expr) = Parts[index];
        if (expr is null)
        {
            foreach (var o in Build(input, index - 1, literal + suffix)) yield return o;
            yield break;
        }
        foreach (var v in expr.Eval(input))
            foreach (var o in Build(input, index - 1, JqValues.ToText(v) + suffix)) yield return o;
    }
}

internal sealed record IfAst(IReadOnlyList<(JqAst Condition, JqAst Then)> Branches, JqAst Else) : JqAst
{
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
    public override IEnumerable<JsonNode?> Eval(JsonNode? input)
    {
        // Deferred, so that an error surfaces while enumerating (where try and ? can catch it).
        foreach (var o in JqBuiltins.Call(Name, Args, input)) yield return o;
    }
}
