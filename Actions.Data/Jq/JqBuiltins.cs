using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Actions.Data.Jq;

/// <summary>The builtins of the spec's jq subset (and a few common companions), with jq 1.6's behaviour.</summary>
internal static class JqBuiltins
{
    private static readonly Dictionary<string, int[]> Arities = new(StringComparer.Ordinal)
    {
        ["true"] = [0], ["false"] = [0], ["null"] = [0], ["empty"] = [0], ["error"] = [0, 1], ["not"] = [0],
        ["length"] = [0], ["utf8bytelength"] = [0], ["keys"] = [0], ["keys_unsorted"] = [0], ["has"] = [1], ["contains"] = [1],
        ["first"] = [0, 1], ["last"] = [0, 1], ["type"] = [0], ["tostring"] = [0], ["tonumber"] = [0], ["tojson"] = [0],
        ["fromjson"] = [0], ["join"] = [1], ["ascii_downcase"] = [0], ["ascii_upcase"] = [0], ["test"] = [1, 2],
        ["to_entries"] = [0], ["from_entries"] = [0], ["with_entries"] = [1], ["add"] = [0], ["any"] = [0, 1, 2], ["all"] = [0, 1, 2],
        ["select"] = [1], ["map"] = [1], ["range"] = [1, 2], ["floor"] = [0], ["sqrt"] = [0], ["min"] = [0], ["max"] = [0],
        ["min_by"] = [1], ["max_by"] = [1], ["sort"] = [0], ["sort_by"] = [1], ["group_by"] = [1], ["unique"] = [0], ["unique_by"] = [1],
        ["reverse"] = [0], ["ltrimstr"] = [1], ["rtrimstr"] = [1], ["startswith"] = [1], ["endswith"] = [1], ["split"] = [1],
        ["recurse"] = [0, 1], ["limit"] = [2], ["values"] = [0], ["nulls"] = [0], ["booleans"] = [0], ["numbers"] = [0],
        ["strings"] = [0], ["arrays"] = [0], ["objects"] = [0], ["iterables"] = [0], ["scalars"] = [0], ["flatten"] = [0, 1],
        ["explode"] = [0], ["implode"] = [0],
    };

    public static bool IsDefined(string name, int arity) => Arities.TryGetValue(name, out var a) && a.Contains(arity);

    public static IEnumerable<JsonNode?> Call(string name, IReadOnlyList<JqAst> args, JsonNode? input)
    {
        switch (name)
        {
            case "true": return [JsonValue.Create(true)];
            case "false": return [JsonValue.Create(false)];
            case "null": return [null];
            case "empty": return [];
            case "not": return [JqValues.Bool(!JqValues.IsTruthy(input))];
            case "error": return args.Count == 0 ? Raise(input) : args[0].Eval(input).SelectMany(Raise);
            case "select": return Select(args[0], input);
            case "map": return [Map(args[0], input)];
            case "first" when args.Count == 1: return args[0].Eval(input).Take(1);
            case "last" when args.Count == 1: return LastOf(args[0].Eval(input));
            case "recurse": return args.Count == 0 ? JqValues.Recurse(input) : RecurseWith(args[0], input);
            case "limit": return Limit(args[0], args[1], input);
            case "range": return args.Count == 1 ? Each(args[0], input, n => RangeOf(0, n)) : Range(args[0], args[1], input);
            case "any": return [Any(args, input)];
            case "all": return [All(args, input)];
            case "with_entries": return [FromEntries(Map(args[0], ToEntries(input)))];
            case "sort_by": return [SortBy(args[0], input).Aggregate(new JsonArray(), (a, p) => { a.Add(p.Item?.DeepClone()); return a; })];
            case "group_by": return [GroupBy(args[0], input)];
            case "unique_by": return [new JsonArray(GroupBy(args[0], input).Select(g => g![0]?.DeepClone()).ToArray())];
            case "min_by": return [SortBy(args[0], input).Select(p => p.Item).FirstOrDefault()?.DeepClone()];
            case "max_by": return [SortBy(args[0], input).Select(p => p.Item).LastOrDefault()?.DeepClone()];
        }
        if (args.Count == 0) return TypeFilters.ContainsKey(name) ? TypeFilter(name, input) : [Simple(name, input)];
        // Builtins whose arguments are values: one call per output of each argument (cartesian, last argument outer).
        return Each(args[^1], input, last => args.Count == 1
            ? [WithValue(name, input, last)]
            : Each(args[0], input, first => [WithValues(name, input, first, last)]));
    }

    private static IEnumerable<JsonNode?> Each(JqAst arg, JsonNode? input, Func<JsonNode?, IEnumerable<JsonNode?>> f)
    {
        foreach (var v in arg.Eval(input))
            foreach (var o in f(v)) yield return o;
    }

    private static IEnumerable<JsonNode?> Raise(JsonNode? value)
    {
        var message = JqValues.TypeOf(value) == "string" ? JqValues.Str(value) : $"{JqValues.ToJson(value)} (not a string)";
        throw new JqRuntimeException(message, value);
    }

    private static IEnumerable<JsonNode?> Select(JqAst f, JsonNode? input)
    {
        foreach (var c in f.Eval(input))
            if (JqValues.IsTruthy(c)) yield return input;
    }

    private static JsonArray Map(JqAst f, JsonNode? input)
    {
        var result = new JsonArray();
        foreach (var item in JqValues.Iterate(input))
            foreach (var o in f.Eval(item)) result.Add(JqValues.Nest(o));
        return result;
    }

    private static IEnumerable<JsonNode?> LastOf(IEnumerable<JsonNode?> outputs)
    {
        var any = false;
        JsonNode? last = null;
        foreach (var o in outputs)
        {
            any = true;
            last = o;
        }
        return any ? [last] : [];
    }

    /// <summary><c>recurse(f)</c>: the input, then depth first what f gives for each output (an explicit stack, however deep f goes).</summary>
    private static IEnumerable<JsonNode?> RecurseWith(JqAst f, JsonNode? input)
    {
        yield return input;
        var stack = new Stack<IEnumerator<JsonNode?>>();
        try
        {
            stack.Push(f.Eval(input).GetEnumerator());
            while (stack.Count > 0)
            {
                var top = stack.Peek();
                if (!top.MoveNext())
                {
                    stack.Pop().Dispose();
                    continue;
                }
                var child = top.Current;
                JqBudget.SpendStep();
                yield return child;
                stack.Push(f.Eval(child).GetEnumerator());
            }
        }
        finally
        {
            while (stack.Count > 0) stack.Pop().Dispose();
        }
    }

    private static IEnumerable<JsonNode?> Limit(JqAst count, JqAst f, JsonNode? input)
    {
        foreach (var n in count.Eval(input))
        {
            var limit = JqValues.TypeOf(n) == "number" ? JqValues.ToDouble(n) : throw new JqRuntimeException("Invalid limit: must be a number");
            // jq 1.6: a negative limit yields everything, a zero limit still yields the first output.
            var taken = 0;
            if (limit < 0)
            {
                foreach (var o in f.Eval(input)) yield return o;
                continue;
            }
            foreach (var o in f.Eval(input))
            {
                yield return o;
                if (++taken >= limit) break;
            }
        }
    }

    private static IEnumerable<JsonNode?> RangeOf(double from, JsonNode? upto)
    {
        if (JqValues.TypeOf(upto) != "number") throw new JqRuntimeException("Range bounds must be numeric");
        var end = JqValues.ToDouble(upto);
        for (var i = from; i < end; i++)
        {
            JqBudget.SpendStep();
            yield return JqValues.Number(i);
        }
    }

    private static IEnumerable<JsonNode?> Range(JqAst from, JqAst upto, JsonNode? input)
    {
        foreach (var f in from.Eval(input))
            foreach (var u in upto.Eval(input))
            {
                if (JqValues.TypeOf(f) != "number") throw new JqRuntimeException("Range bounds must be numeric");
                foreach (var o in RangeOf(JqValues.ToDouble(f), u)) yield return o;
            }
    }

    private static JsonNode? Any(IReadOnlyList<JqAst> args, JsonNode? input)
    {
        var values = args.Count switch
        {
            0 => JqValues.Iterate(input),
            1 => JqValues.Iterate(input).SelectMany(args[0].Eval),
            _ => args[0].Eval(input).SelectMany(args[1].Eval),
        };
        foreach (var v in values)
            if (JqValues.IsTruthy(v)) return JqValues.Bool(true);
        return JqValues.Bool(false);
    }

    private static JsonNode? All(IReadOnlyList<JqAst> args, JsonNode? input)
    {
        var values = args.Count switch
        {
            0 => JqValues.Iterate(input),
            1 => JqValues.Iterate(input).SelectMany(args[0].Eval),
            _ => args[0].Eval(input).SelectMany(args[1].Eval),
        };
        foreach (var v in values)
            if (!JqValues.IsTruthy(v)) return JqValues.Bool(false);
        return JqValues.Bool(true);
    }

    private static List<(JsonArray Key, JsonNode? Item)> SortBy(JqAst f, JsonNode? input)
    {
        if (input is not JsonArray array)
            throw new JqRuntimeException($"Cannot index {JqValues.TypeOf(input)} with number");
        var keyed = array.Select(item => (Key: new JsonArray(f.Eval(item).Select(k => k?.DeepClone()).ToArray()), Item: item)).ToList();
        // A stable sort, as jq's.
        return keyed.Select((p, i) => (p, i)).OrderBy(x => x.p.Key, Comparer<JsonArray>.Create((a, b) => JqValues.Compare(a, b)))
            .ThenBy(x => x.i).Select(x => x.p).ToList();
    }

    private static JsonArray GroupBy(JqAst f, JsonNode? input)
    {
        var result = new JsonArray();
        JsonArray? group = null;
        JsonArray? key = null;
        foreach (var (k, item) in SortBy(f, input))
        {
            if (group is null || JqValues.Compare(key, k) != 0)
            {
                group = [];
                result.Add(group);
                key = k;
            }
            group.Add(JqValues.Nest(item, 2));
        }
        return result;
    }

    private static JsonNode? Simple(string name, JsonNode? input)
    {
        var type = JqValues.TypeOf(input);
        switch (name)
        {
            case "length":
                return type switch
                {
                    "null" => JqValues.Number(0),
                    "boolean" => throw new JqRuntimeException($"{JqValues.Describe(input)} has no length"),
                    "number" => JqValues.Number(Math.Abs(JqValues.ToDouble(input))),
                    "string" => JqValues.Number(JqValues.Str(input).EnumerateRunes().Count()),
                    "array" => JqValues.Number(((JsonArray)input!).Count),
                    _ => JqValues.Number(((JsonObject)input!).Count),
                };
            case "utf8bytelength":
                if (type != "string") throw new JqRuntimeException($"{JqValues.Describe(input)} only strings have UTF-8 byte length");
                return JqValues.Number(Encoding.UTF8.GetByteCount(JqValues.Str(input)));
            case "keys":
            case "keys_unsorted":
                if (input is JsonObject obj)
                {
                    var keys = name == "keys" ? JqValues.SortedKeys(obj) : obj.Select(p => p.Key).ToList();
                    return new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray());
                }
                if (input is JsonArray arr) return new JsonArray(Enumerable.Range(0, arr.Count).Select(i => (JsonNode?)JqValues.Number(i)).ToArray());
                throw new JqRuntimeException($"{JqValues.Describe(input)} has no keys");
            case "first": return JqValues.Index(input, JqValues.Number(0));
            case "last": return JqValues.Index(input, JqValues.Number(-1));
            case "type": return JsonValue.Create(type);
            case "tostring": return JsonValue.Create(JqValues.ToText(input));
            case "tojson": return JsonValue.Create(JqValues.ToJson(input));
            case "fromjson":
                if (type != "string") throw new JqRuntimeException($"{JqValues.Describe(input)} cannot be parsed as JSON");
                return ParseJson(JqValues.Str(input));
            case "tonumber":
                if (type == "number") return input;
                if (type == "string")
                {
                    var parsed = ParseJson(JqValues.Str(input));
                    if (JqValues.TypeOf(parsed) == "number") return parsed;
                }
                throw new JqRuntimeException($"{JqValues.Describe(input)} cannot be parsed as a number");
            case "ascii_downcase":
            case "ascii_upcase":
                if (type != "string") throw new JqRuntimeException($"{name} input must be a string");
                var s = JqValues.Str(input);
                return JsonValue.Create(string.Create(s.Length, (s, name), (span, st) =>
                {
                    for (var i = 0; i < st.s.Length; i++)
                    {
                        var c = st.s[i];
                        span[i] = st.name == "ascii_downcase" ? (c is >= 'A' and <= 'Z' ? (char)(c + 32) : c) : (c is >= 'a' and <= 'z' ? (char)(c - 32) : c);
                    }
                }));
            case "to_entries": return ToEntries(input);
            case "from_entries": return FromEntries(input);
            case "add":
                JsonNode? sum = null;
                foreach (var item in JqValues.Iterate(input)) sum = JqValues.Add(sum, item);
                return sum;
            case "floor": return JqValues.Number(Math.Floor(NumberInput(input, name)));
            case "sqrt": return JqValues.Number(Math.Sqrt(NumberInput(input, name)));
            case "min":
            case "max":
                var items = ArrayInput(input, name);
                if (items.Count == 0) return null;
                var best = items[0];
                foreach (var item in items.Skip(1))
                    if (name == "min" ? JqValues.Compare(item, best) < 0 : JqValues.Compare(item, best) >= 0) best = item;
                return best?.DeepClone();
            case "sort":
                var sorted = ArrayInput(input, name).ToList();
                sorted.Sort(JqValues.Compare);
                return new JsonArray(sorted.Select(x => x?.DeepClone()).ToArray());
            case "unique":
                var list = ArrayInput(input, name).ToList();
                list.Sort(JqValues.Compare);
                var unique = new JsonArray();
                JsonNode? previous = null;
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0 && JqValues.Compare(previous, list[i]) == 0) continue;
                    unique.Add(list[i]?.DeepClone());
                    previous = list[i];
                }
                return unique;
            case "reverse":
                if (input is null) return new JsonArray();
                if (input is JsonArray ra) return new JsonArray(ra.Reverse().Select(x => x?.DeepClone()).ToArray());
                throw new JqRuntimeException($"Cannot index {type} with number");
            case "explode":
                if (type != "string") throw new JqRuntimeException($"{JqValues.Describe(input)} cannot be exploded");
                return new JsonArray(JqValues.Str(input).EnumerateRunes().Select(r => (JsonNode?)JqValues.Number(r.Value)).ToArray());
            case "implode":
                if (input is not JsonArray codes) throw new JqRuntimeException("implode input must be an array");
                var sb = new StringBuilder();
                foreach (var c in codes)
                {
                    if (JqValues.TypeOf(c) != "number") throw new JqRuntimeException("Unicode codepoint must be numeric");
                    // jq 1.6 aborts the process on a code point that is not a Unicode scalar value; an error here.
                    var code = JqValues.ToDouble(c);
                    if (double.IsNaN(code) || code is < 0 or > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) throw new JqRuntimeException("Invalid codepoint literal");
                    sb.Append(char.ConvertFromUtf32((int)code));
                }
                return JsonValue.Create(sb.ToString());
            case "flatten": return Flatten(input, -1);
        }
        throw new InvalidOperationException(name);
    }

    /// <summary>Type filters (values, nulls, strings…) yield the input or nothing.</summary>
    private static readonly Dictionary<string, Func<string, bool>> TypeFilters = new()
    {
        ["values"] = t => t != "null", ["nulls"] = t => t == "null", ["booleans"] = t => t == "boolean", ["numbers"] = t => t == "number",
        ["strings"] = t => t == "string", ["arrays"] = t => t == "array", ["objects"] = t => t == "object",
        ["iterables"] = t => t is "array" or "object", ["scalars"] = t => t is not ("array" or "object"),
    };

    private static JsonNode? WithValue(string name, JsonNode? input, JsonNode? arg)
    {
        var type = JqValues.TypeOf(input);
        switch (name)
        {
            case "has":
                if (input is null) return JqValues.Bool(false);
                if (input is JsonObject o && JqValues.TypeOf(arg) == "string") return JqValues.Bool(o.ContainsKey(JqValues.Str(arg)));
                if (input is JsonArray a && JqValues.TypeOf(arg) == "number")
                {
                    var d = JqValues.ToDouble(arg);
                    return JqValues.Bool(d >= 0 && d < a.Count);
                }
                throw new JqRuntimeException($"Cannot check whether {type} has a {JqValues.TypeOf(arg)} key");
            case "contains":
                return JqValues.Bool(Contains(input, arg));
            case "join":
                JsonNode? acc = null;
                foreach (var item in JqValues.Iterate(input))
                {
                    var itemType = JqValues.TypeOf(item);
                    var text = itemType is "boolean" or "number" ? JsonValue.Create(JqValues.ToJson(item)) : itemType == "null" ? JsonValue.Create("") : item;
                    acc = JqValues.Add(acc is null ? JsonValue.Create("") : JqValues.Add(acc, arg), text);
                }
                return acc ?? JsonValue.Create("");
            case "test":
                return Test(input, arg, null);
            case "ltrimstr":
            case "rtrimstr":
                if (type == "string" && JqValues.TypeOf(arg) == "string")
                {
                    var s = JqValues.Str(input);
                    var affix = JqValues.Str(arg);
                    if (name == "ltrimstr" && s.StartsWith(affix, StringComparison.Ordinal)) return JsonValue.Create(s[affix.Length..]);
                    if (name == "rtrimstr" && s.EndsWith(affix, StringComparison.Ordinal) && affix.Length > 0) return JsonValue.Create(s[..^affix.Length]);
                }
                return input;
            case "startswith":
            case "endswith":
                if (type != "string" || JqValues.TypeOf(arg) != "string") throw new JqRuntimeException($"{name}() requires string inputs");
                return JqValues.Bool(name == "startswith"
                    ? JqValues.Str(input).StartsWith(JqValues.Str(arg), StringComparison.Ordinal)
                    : JqValues.Str(input).EndsWith(JqValues.Str(arg), StringComparison.Ordinal));
            case "split":
                if (type != "string" || JqValues.TypeOf(arg) != "string") throw new JqRuntimeException("split input and separator must be strings");
                return JqValues.Split(JqValues.Str(input), JqValues.Str(arg));
            case "flatten":
                if (JqValues.TypeOf(arg) != "number") throw new JqRuntimeException("flatten depth must not be negative");
                var depth = JqValues.ToDouble(arg);
                if (depth < 0) throw new JqRuntimeException("flatten depth must not be negative");
                return Flatten(input, depth);
        }
        throw new InvalidOperationException(name);
    }

    private static JsonNode? WithValues(string name, JsonNode? input, JsonNode? first, JsonNode? second) => name switch
    {
        "test" => Test(input, first, second),
        _ => throw new InvalidOperationException(name),
    };

    public static IEnumerable<JsonNode?> TypeFilter(string name, JsonNode? input) =>
        TypeFilters[name](JqValues.TypeOf(input)) ? [input] : [];

    private static JsonNode? Test(JsonNode? input, JsonNode? pattern, JsonNode? flags)
    {
        if (JqValues.TypeOf(input) != "string") throw new JqRuntimeException($"{JqValues.Describe(input)} cannot be matched, as it is not a string");
        if (JqValues.TypeOf(pattern) != "string") throw new JqRuntimeException($"{JqValues.Describe(pattern)} cannot be matched, as it is not a string");
        var options = RegexOptions.CultureInvariant;
        if (flags is not null)
        {
            if (JqValues.TypeOf(flags) != "string") throw new JqRuntimeException($"{JqValues.Describe(flags)} is not a string");
            foreach (var f in JqValues.Str(flags))
            {
                options |= f switch
                {
                    'i' => RegexOptions.IgnoreCase,
                    'x' => RegexOptions.IgnorePatternWhitespace,
                    // Oniguruma's single-line mode ($ only at the end or before a final newline) is .NET's default; 'p' adds
                    // its multi-line mode, in which . matches a newline: .NET's Singleline.
                    'p' => RegexOptions.Singleline,
                    'g' or 'n' or 's' or 'l' => RegexOptions.None,
                    _ => throw new JqRuntimeException($"{JqValues.Str(flags)} is not a valid modifier string"),
                };
            }
        }
        try
        {
            return JqValues.Bool(JqRegex.IsMatch(JqValues.Str(input), JqValues.Str(pattern), options));
        }
        catch (ArgumentException e)
        {
            throw new JqRuntimeException($"{JqValues.Str(pattern)} (at offset 0) is not a valid regex: {e.Message}");
        }
        catch (RegexMatchTimeoutException)
        {
            throw new JqRuntimeException("regex match took too long");
        }
    }

    private static bool Contains(JsonNode? a, JsonNode? b)
    {
        var (ta, tb) = (JqValues.TypeOf(a), JqValues.TypeOf(b));
        if (ta != tb && !(ta == "boolean" && tb == "boolean"))
            throw new JqRuntimeException($"{JqValues.Describe(a)} and {JqValues.Describe(b)} cannot have their containment checked");
        return ta switch
        {
            "object" => ((JsonObject)b!).All(p => ((JsonObject)a!).TryGetPropertyValue(p.Key, out var v) && Contains(v, p.Value)),
            "array" => ((JsonArray)b!).All(y => ((JsonArray)a!).Any(x => JqValues.TypeOf(x) == JqValues.TypeOf(y) && Contains(x, y))),
            "string" => JqValues.Str(a).Contains(JqValues.Str(b), StringComparison.Ordinal),
            _ => JqValues.Compare(a, b) == 0,
        };
    }

    private static JsonNode ToEntries(JsonNode? input)
    {
        var result = new JsonArray();
        switch (input)
        {
            case JsonObject o:
                foreach (var (k, v) in o) result.Add(new JsonObject { ["key"] = k, ["value"] = JqValues.Nest(v, 2) });
                return result;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) result.Add(new JsonObject { ["key"] = JqValues.Number(i), ["value"] = JqValues.Nest(a[i], 2) });
                return result;
        }
        throw new JqRuntimeException($"{JqValues.Describe(input)} has no keys");
    }

    private static JsonNode FromEntries(JsonNode? input)
    {
        var result = new JsonObject();
        foreach (var entry in JqValues.Iterate(input))
        {
            // jq 1.6: {(.key // .name // .Name // .Key): (if has("value") then .value else .Value end)}
            JsonNode? key = null;
            foreach (var name in new[] { "key", "name", "Name", "Key" })
            {
                key = JqValues.Index(entry, JsonValue.Create(name));
                if (JqValues.IsTruthy(key)) break;
            }
            var hasValue = entry is JsonObject eo ? eo.ContainsKey("value")
                : throw new JqRuntimeException($"Cannot check whether {JqValues.TypeOf(entry)} has a string key");
            if (JqValues.TypeOf(key) != "string") throw new JqRuntimeException($"Cannot use {JqValues.Describe(key)} as object key");
            result[JqValues.Str(key)] = (hasValue ? entry["value"] : JqValues.Index(entry, JsonValue.Create("Value")))?.DeepClone();
        }
        return result;
    }

    private static JsonArray Flatten(JsonNode? input, double depth)
    {
        var result = new JsonArray();
        foreach (var item in JqValues.Iterate(input))
        {
            if (item is JsonArray inner && depth != 0)
                foreach (var x in Flatten(inner, depth - 1)) result.Add(x?.DeepClone());
            else result.Add(item?.DeepClone());
        }
        return result;
    }

    private static double NumberInput(JsonNode? input, string name) =>
        JqValues.TypeOf(input) == "number" ? JqValues.ToDouble(input) : throw new JqRuntimeException($"{JqValues.Describe(input)} number required");

    private static IReadOnlyList<JsonNode?> ArrayInput(JsonNode? input, string name) =>
        input as JsonArray is { } a ? a.ToList() : throw new JqRuntimeException($"{JqValues.Describe(input)} cannot be sorted, as it is not an array");

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            // jq 1.6 parses JSON nested at most 256 deep.
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = JqParser.MaxDepth });
        }
        catch (JsonException e)
        {
            throw new JqRuntimeException($"{text} (while parsing '{text}'): {e.Message}");
        }
    }
}
