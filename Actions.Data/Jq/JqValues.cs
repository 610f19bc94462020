using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.Jq;

/// <summary>jq 1.6's value semantics on System.Text.Json nodes (C# null is JSON null; numbers are doubles).</summary>
internal static class JqValues
{
    /// <summary>
    /// The deepest value (arrays and objects inside each other) the evaluator builds or takes as input. Twice the
    /// parser's limit, so a 256-deep construct fits around a 256-deep input, and below the 1000 levels a JSON writer
    /// accepts, so every answer can be written; every walker over values (printing, comparing, merging) stays shallow.
    /// </summary>
    public const int MaxValueDepth = 512;

    public static JsonNode Number(double d) => JsonValue.Create(d);

    /// <summary>
    /// The longest string the evaluator builds by repetition or concatenation (UTF-16 units): ten times the largest
    /// request body, so no answer needs more, while <c>"ab" * 1e9</c> is an error rather than gigabytes.
    /// </summary>
    public const int MaxStringLength = 10 * 1024 * 1024;

    public static string LimitedString(long length, Func<string> build) => length > MaxStringLength
        ? throw new JqRuntimeException($"String too long (more than {MaxStringLength} characters)")
        : build();

    /// <summary>
    /// A copy of <paramref name="v"/> to be put <paramref name="levels"/> levels deep inside a new array or object;
    /// a runtime error when the new value would nest deeper than <see cref="MaxValueDepth"/>.
    /// </summary>
    public static JsonNode? Nest(JsonNode? v, int levels = 1)
    {
        var (deeper, nodes) = Measure(v, MaxValueDepth - levels);
        if (deeper) throw new JqRuntimeException($"Value nested too deeply (more than {MaxValueDepth} levels)");
        JqBudget.SpendNodes(nodes);
        return v?.DeepClone();
    }

    /// <summary>Whether arrays and objects nest more than <paramref name="limit"/> deep in the value (an explicit stack: no recursion).</summary>
    public static bool DeeperThan(JsonNode? value, int limit) => Measure(value, limit).Deeper;

    /// <summary>Whether the value nests deeper than the limit, else how many nodes it has.</summary>
    private static (bool Deeper, long Nodes) Measure(JsonNode? value, int limit)
    {
        if (value is not (JsonArray or JsonObject)) return (false, 1);
        var nodes = 0L;
        var stack = new Stack<(JsonNode? Node, int Depth)>();
        stack.Push((value, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            nodes++;
            if (node is not (JsonArray or JsonObject)) continue;
            if (depth + 1 > limit) return (true, nodes);
            foreach (var child in Iterate(node)) stack.Push((child, depth + 1));
        }
        return (false, nodes);
    }

    public static string TypeOf(JsonNode? v) => v switch
    {
        null => "null",
        JsonArray => "array",
        JsonObject => "object",
        _ => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
    };

    private static int TypeRank(JsonNode? v) => v switch
    {
        null => 0,
        JsonArray => 5,
        JsonObject => 6,
        _ => v.GetValueKind() switch
        {
            JsonValueKind.False => 1,
            JsonValueKind.True => 2,
            JsonValueKind.Number => 3,
            JsonValueKind.String => 4,
            _ => 0,
        },
    };

    /// <summary>The number a node holds, whether it was parsed from JSON or created from any .NET numeric type.</summary>
    public static double ToDouble(JsonNode? v)
    {
        var value = v!.AsValue();
        if (value.TryGetValue<double>(out var d)) return d;
        if (value.TryGetValue<long>(out var l)) return l;
        if (value.TryGetValue<int>(out var i)) return i;
        if (value.TryGetValue<decimal>(out var m)) return (double)m;
        return double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static string Str(JsonNode? v) => v!.GetValue<string>();

    public static bool IsTruthy(JsonNode? v) => v is not null && v.GetValueKind() is not (JsonValueKind.False or JsonValueKind.Null);

    public static JsonNode? Bool(bool b) => JsonValue.Create(b);

    /// <summary><c>type (value)</c> with the value cut to 11 characters, as jq's error messages show it.</summary>
    public static string Describe(JsonNode? v)
    {
        var dump = ToJson(v);
        if (Encoding.UTF8.GetByteCount(dump) > 14) dump = TruncateUtf8(dump, 11) + "...";
        return $"{TypeOf(v)} ({dump})";
    }

    private static string TruncateUtf8(string s, int bytes)
    {
        var data = Encoding.UTF8.GetBytes(s);
        return Encoding.UTF8.GetString(data, 0, Math.Min(bytes, data.Length)).TrimEnd('\uFFFD');
    }

    public static JsonNode? Index(JsonNode? target, JsonNode? key)
    {
        var keyType = TypeOf(key);
        switch (target)
        {
            case null when keyType is "string" or "number" or "null":
                return null;
            case JsonObject obj when keyType == "string":
                return obj.TryGetPropertyValue(Str(key), out var value) ? value : null;
            case JsonArray array when keyType == "number":
                var d = ToDouble(key);
                if (d != Math.Floor(d)) return null;
                var i = (long)d;
                if (i < 0) i += array.Count;
                return i >= 0 && i < array.Count ? array[(int)i] : null;
            case JsonArray when key is JsonObject:
                return Slice(target, key["start"], key["end"]);
        }
        throw keyType == "string"
            ? new JqRuntimeException($"Cannot index {TypeOf(target)} with \"{Str(key)}\"")
            : new JqRuntimeException($"Cannot index {TypeOf(target)} with {keyType}");
    }

    public static JsonNode? Slice(JsonNode? target, JsonNode? from, JsonNode? to)
    {
        if (target is null) return null;
        if ((from is not null && TypeOf(from) != "number") || (to is not null && TypeOf(to) != "number"))
            throw new JqRuntimeException("Start and end indices of an array slice must be numbers");
        if (target is JsonArray array)
        {
            var (start, end) = SliceBounds(array.Count, from, to);
            var result = new JsonArray();
            for (var i = start; i < end; i++) result.Add(array[i]?.DeepClone());
            return result;
        }
        if (TypeOf(target) == "string")
        {
            var runes = Str(target).EnumerateRunes().ToArray();
            var (start, end) = SliceBounds(runes.Length, from, to);
            return JsonValue.Create(string.Concat(runes[start..end].Select(r => r.ToString())));
        }
        throw new JqRuntimeException($"Cannot index {TypeOf(target)} with object");
    }

    // jq 1.6's parse_slice: negative indices count from the end, then clamp; the end is rounded up.
    private static (int Start, int End) SliceBounds(int length, JsonNode? from, JsonNode? to)
    {
        var dStart = from is null ? 0 : ToDouble(from);
        var dEnd = to is null ? length : ToDouble(to);
        if (dStart < 0) dStart += length;
        if (dEnd < 0) dEnd += length;
        if (dStart < 0) dStart = 0;
        if (dStart > length) dStart = length;
        if (dEnd > length) dEnd = length;
        if (dEnd < dStart) dEnd = dStart;
        var start = (int)dStart;
        var end = dEnd > (int)dEnd ? (int)dEnd + 1 : (int)dEnd;
        return (start, Math.Min(end, length));
    }

    public static IEnumerable<JsonNode?> Iterate(JsonNode? target) => target switch
    {
        JsonArray array => array.ToList(),
        JsonObject obj => obj.Select(p => p.Value).ToList(),
        null => throw new JqRuntimeException("Cannot iterate over null"),
        _ => throw new JqRuntimeException($"Cannot iterate over {Describe(target)}"),
    };

    /// <summary><c>..</c>: the value and everything inside it, depth first (an explicit stack: no recursion).</summary>
    public static IEnumerable<JsonNode?> Recurse(JsonNode? v)
    {
        yield return v;
        var stack = new Stack<IEnumerator<JsonNode?>>();
        if (v is JsonArray or JsonObject) stack.Push(Iterate(v).GetEnumerator());
        while (stack.Count > 0)
        {
            var top = stack.Peek();
            if (!top.MoveNext())
            {
                stack.Pop();
                continue;
            }
            var child = top.Current;
            JqBudget.SpendStep();
            yield return child;
            if (child is JsonArray or JsonObject) stack.Push(Iterate(child).GetEnumerator());
        }
    }

    public static JsonNode? Binary(string op, JsonNode? l, JsonNode? r) => op switch
    {
        "+" => Add(l, r),
        "-" => Subtract(l, r),
        "*" => Multiply(l, r),
        "/" => Divide(l, r),
        "%" => Modulo(l, r),
        "==" => Bool(Compare(l, r) == 0),
        "!=" => Bool(Compare(l, r) != 0),
        "<" => Bool(Compare(l, r) < 0),
        "<=" => Bool(Compare(l, r) <= 0),
        ">" => Bool(Compare(l, r) > 0),
        ">=" => Bool(Compare(l, r) >= 0),
        _ => throw new InvalidOperationException(op),
    };

    public static JsonNode? Add(JsonNode? l, JsonNode? r)
    {
        if (l is null) return r?.DeepClone();
        if (r is null) return l.DeepClone();
        var (lt, rt) = (TypeOf(l), TypeOf(r));
        if (lt == "number" && rt == "number") return Number(ToDouble(l) + ToDouble(r));
        if (lt == "string" && rt == "string") return JsonValue.Create(LimitedString((long)Str(l).Length + Str(r).Length, () => Str(l) + Str(r)));
        if (l is JsonArray la && r is JsonArray ra)
        {
            var result = new JsonArray();
            foreach (var x in la) result.Add(x?.DeepClone());
            foreach (var x in ra) result.Add(x?.DeepClone());
            return result;
        }
        if (l is JsonObject lo && r is JsonObject ro)
        {
            var result = (JsonObject)lo.DeepClone();
            foreach (var (k, v) in ro) result[k] = v?.DeepClone();
            return result;
        }
        throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be added");
    }

    private static JsonNode? Subtract(JsonNode? l, JsonNode? r)
    {
        if (TypeOf(l) == "number" && TypeOf(r) == "number") return Number(ToDouble(l) - ToDouble(r));
        if (l is JsonArray la && r is JsonArray ra)
        {
            var result = new JsonArray();
            foreach (var x in la)
                if (!ra.Any(y => Compare(x, y) == 0)) result.Add(x?.DeepClone());
            return result;
        }
        throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be subtracted");
    }

    private static JsonNode? Multiply(JsonNode? l, JsonNode? r)
    {
        var (lt, rt) = (TypeOf(l), TypeOf(r));
        if (lt == "number" && rt == "number") return Number(ToDouble(l) * ToDouble(r));
        if ((lt == "string" && rt == "number") || (lt == "number" && rt == "string"))
        {
            var (s, n) = lt == "string" ? (Str(l), ToDouble(r)) : (Str(r), ToDouble(l));
            // jq 1.6 appends the string (int)(n - 1) times; a negative count (n <= 0, NaN, past int's range) is null.
            var extra = n - 1;
            if (double.IsNaN(extra) || extra <= -1 || extra >= int.MaxValue) return null;
            var times = (int)extra + 1;
            return JsonValue.Create(LimitedString((long)s.Length * times, () => string.Concat(Enumerable.Repeat(s, times))));
        }
        if (l is JsonObject lo && r is JsonObject ro) return DeepMerge(lo, ro);
        throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be multiplied");
    }

    private static JsonObject DeepMerge(JsonObject a, JsonObject b)
    {
        var result = (JsonObject)a.DeepClone();
        foreach (var (k, v) in b)
            result[k] = result[k] is JsonObject ao && v is JsonObject bo ? DeepMerge(ao, bo) : v?.DeepClone();
        return result;
    }

    private static JsonNode? Divide(JsonNode? l, JsonNode? r)
    {
        var (lt, rt) = (TypeOf(l), TypeOf(r));
        if (lt == "number" && rt == "number")
        {
            if (ToDouble(r) == 0) throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be divided because the divisor is zero");
            return Number(ToDouble(l) / ToDouble(r));
        }
        if (lt == "string" && rt == "string") return Split(Str(l), Str(r));
        throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be divided");
    }

    public static JsonArray Split(string s, string separator)
    {
        var result = new JsonArray();
        if (s.Length == 0) return result;
        var parts = separator.Length == 0 ? s.EnumerateRunes().Select(r => r.ToString()).ToArray() : s.Split(separator);
        foreach (var p in parts) result.Add(JsonValue.Create(p));
        return result;
    }

    private static JsonNode? Modulo(JsonNode? l, JsonNode? r)
    {
        if (TypeOf(l) == "number" && TypeOf(r) == "number")
        {
            var divisor = ToLong(ToDouble(r));
            if (divisor == 0) throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be divided because the divisor is zero");
            var dividend = ToLong(ToDouble(l));
            return Number(divisor == -1 ? 0 : dividend % divisor);
        }
        throw new JqRuntimeException($"{Describe(l)} and {Describe(r)} cannot be divided");
    }

    private static long ToLong(double d) => double.IsNaN(d) ? 0 : d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d;

    /// <summary>jq's total order: null &lt; false &lt; true &lt; numbers &lt; strings &lt; arrays &lt; objects.</summary>
    public static int Compare(JsonNode? a, JsonNode? b)
    {
        var (ra, rb) = (TypeRank(a), TypeRank(b));
        if (ra != rb) return ra.CompareTo(rb);
        switch (ra)
        {
            case 3:
                return ToDouble(a).CompareTo(ToDouble(b));
            case 4:
                return CompareStrings(Str(a), Str(b));
            case 5:
                var (xa, xb) = ((JsonArray)a!, (JsonArray)b!);
                for (var i = 0; i < Math.Min(xa.Count, xb.Count); i++)
                {
                    var c = Compare(xa[i], xb[i]);
                    if (c != 0) return c;
                }
                return xa.Count.CompareTo(xb.Count);
            case 6:
                var (oa, ob) = ((JsonObject)a!, (JsonObject)b!);
                var ka = SortedKeys(oa);
                var kb = SortedKeys(ob);
                var keys = Compare(new JsonArray(ka.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()), new JsonArray(kb.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()));
                if (keys != 0) return keys;
                foreach (var k in ka)
                {
                    var c = Compare(oa[k], ob[k]);
                    if (c != 0) return c;
                }
                return 0;
            default:
                return 0;
        }
    }

    /// <summary>Code-point (UTF-8 byte) order, as jq compares strings.</summary>
    public static int CompareStrings(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    public static List<string> SortedKeys(JsonObject o)
    {
        var keys = o.Select(p => p.Key).ToList();
        keys.Sort(CompareStrings);
        return keys;
    }

    /// <summary>The text of a value in a string interpolation or <c>tostring</c>.</summary>
    public static string ToText(JsonNode? v) => TypeOf(v) == "string" ? Str(v) : ToJson(v);

    /// <summary>Compact JSON exactly as <c>jq -c</c> prints it (numbers in jq 1.6's format).</summary>
    public static string ToJson(JsonNode? v)
    {
        var sb = new StringBuilder();
        Write(sb, v);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? v)
    {
        switch (v)
        {
            case null:
                sb.Append("null");
                return;
            case JsonArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, array[i]);
                }
                sb.Append(']');
                return;
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (k, value) in obj)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, k);
                    sb.Append(':');
                    Write(sb, value);
                }
                sb.Append('}');
                return;
        }
        switch (v.GetValueKind())
        {
            case JsonValueKind.String: WriteString(sb, Str(v)); break;
            case JsonValueKind.Number: sb.Append(FormatNumber(ToDouble(v))); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case < ' ' or '\u007f': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }

    /// <summary>jq 1.6's number format: shortest round-trip digits, exponent form when decpt &lt;= -4 or &gt; digits + 15.</summary>
    public static string FormatNumber(double d)
    {
        if (double.IsNaN(d)) return "null";
        if (double.IsPositiveInfinity(d)) d = double.MaxValue;
        if (double.IsNegativeInfinity(d)) d = double.MinValue;
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        var text = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? text : text[..dot];
        var fracPart = dot < 0 ? "" : text[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        var decpt = intPart.Length - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        if (decpt <= -4 || decpt > digits.Length + 15)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var exp = decpt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        return sb.ToString();
    }

    /// <summary>
    /// An answer ready for any JSON writer, numbers written as jq prints them (<see cref="FormatNumber"/>: NaN is
    /// null, infinities the largest double, <c>1e3</c> is <c>1000</c>), whatever text or .NET type they came with.
    /// </summary>
    public static JsonNode? Sanitize(JsonNode? v) => v switch
    {
        null => null,
        JsonArray a => new JsonArray(a.Select(Sanitize).ToArray()),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Sanitize(p.Value)))),
        _ when v.GetValueKind() == JsonValueKind.Number => JsonNumberText(ToDouble(v)),
        _ => v.DeepClone(),
    };

    /// <summary>A number node that any JSON writer writes as jq's text for it.</summary>
    private static JsonNode? JsonNumberText(double d) => double.IsNaN(d) ? null : JsonNode.Parse(FormatNumber(d));
}
