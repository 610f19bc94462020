using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Actions.Tests.Hostile;

public enum Role { Anonymous, Member, Superuser }

/// <summary>One request of the run: everything needed to send it again by hand.</summary>
public sealed record HostileRequest(Role Role, string Method, string Path, string What)
{
    public List<(string Name, string Value)> Headers { get; init; } = [];
    public string AuthLabel { get; init; } = "";

    /// <summary>null: no Content-Type header.</summary>
    public string? ContentType { get; init; } = "application/json";

    public byte[]? Body { get; init; }
    public bool Chunked { get; init; }

    /// <summary>Changes the world for later requests (deletes, logout, key regeneration): sent last.</summary>
    public bool Destructive { get; init; }

    public string RouteKey { get; init; } = "";

    public string BodyText => Body is null ? "" : Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Hostile values and the requests made of them. Values are JSON texts (so that duplicate keys, lone surrogates
/// and numbers no serializer writes can be sent as they are). Everything is drawn from a seeded
/// <see cref="Random"/>: the same seed gives the same requests.
/// </summary>
public static class HostileInputs
{
    public const int Seed = 13_2026;

    public static string Quote(string s) => JsonSerializer.Serialize(s);

    public static string NestedArrays(int depth) => new string('[', depth) + new string(']', depth);

    public static string NestedObjects(int depth)
    {
        var sb = new StringBuilder(depth * 7);
        for (var i = 0; i < depth; i++) sb.Append("{\"a\":");
        sb.Append('1');
        sb.Append('}', depth);
        return sb.ToString();
    }

    /// <summary><c>((((.))))</c>: a jq expression nested <paramref name="depth"/> deep.</summary>
    public static string NestedParens(int depth, string inner = ".") => new string('(', depth) + inner + new string(')', depth);

    public static readonly int[] Depths = [63, 64, 65, 1000, 100_000];

    /// <summary>Values to put where a body key's value goes: wrong types, odd numbers, odd and huge strings.</summary>
    public static readonly string[] Values =
    [
        "\"x\"", "\"\"", "1e309", "-1e309", "-0", "1.5", "-1", "0", "2147483648", "-2147483649", "9223372036854775808",
        "123456789012345678901234567890", "1e3", "0.1e-400", "true", "false", "null", "[]", "{}", "[null]", "{\"\":null}",
        "\"1\"", "\"true\"", "[1,\"a\",{}]", "{\"id\":{\"id\":{}}}",
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800x\"", "\"\\udc00\"", "\"\\ud800\\ud800\"", "\"x\\udfff\"",
        Quote("\u202Eabc\u202C שלום 😀👨‍👩‍👧 ١٢٣"), "\"%00\"", "\"../../etc/passwd\"", "\"..%2f..%2fetc%2fpasswd\"",
        "\"' OR 1=1 --\"", "\"{{secret:HOSTILE_SECRET}}\"", "\"{{x}}\"", "\"[[ {{x}} ]]\"", "\"[[\"", "\"{{\"", "\"}}\"",
        "\"file:///etc/passwd\"", "\"http://169.254.169.254/latest/meta-data\"", "\"<script>alert(1)</script>\"",
        "\"1); DROP TABLE categories; --\"", "\"$$it's$$\"", "\"# it's\"", "\"card__1\"", "\"root\"", "\"\\n\\r\\t\"",
        "\".[\"", "\"body\"", "\".a[\"", "\"row/create\"", "\"bulk/delete\"", "\"GET\"", "\"query\"", "\"http\"",
        Quote(new string('x', 100 * 1024)),
        Quote(NestedParens(20_000)), Quote(new string('[', 20_000) + "." + new string(']', 20_000)),
        Quote(string.Concat(Enumerable.Repeat("[[ {{a}} ", 5_000))), Quote(string.Concat(Enumerable.Repeat("{{", 20_000))),
        Quote(string.Concat(Enumerable.Repeat("\"\\(", 5_000)) + "." + string.Concat(Enumerable.Repeat(")\"", 5_000))),
        NestedArrays(63), NestedArrays(64), NestedArrays(65), NestedArrays(1000), NestedArrays(100_000),
        NestedObjects(30), NestedObjects(31), NestedObjects(32), NestedObjects(63), NestedObjects(64), NestedObjects(65),
        NestedObjects(1000), NestedObjects(100_000),
    ];

    /// <summary>Strings whose content nests 20,000 deep for a recursive parser (jq, the SQL template syntax).</summary>
    public static readonly string[] DeepStrings =
    [
        Quote(NestedParens(20_000)), Quote(new string('[', 20_000) + "." + new string(']', 20_000)),
        Quote(string.Concat(Enumerable.Repeat("\"\\(", 5_000)) + "." + string.Concat(Enumerable.Repeat(")\"", 5_000))),
        Quote(string.Concat(Enumerable.Repeat("[[ {{a}} ", 5_000))), Quote(string.Concat(Enumerable.Repeat("-(", 20_000)) + "1" + new string(')', 20_000)),
    ];

    /// <summary>A string just over the 1 MiB body limit (sent a few times per run: it is big).</summary>
    public static readonly string OneMebibytePlusOne = Quote(new string('y', 1024 * 1024 + 1));

    public static readonly string[] IdSpellings =
    [
        "0", "-1", "2147483648", "1e3", "0x10", "%201", "1%20", "1.0", "%D9%A1", "%EF%BC%91", "99999999999999999999999999",
        "00001", "+1", "1%00", "%2e%2e", "abc", "999999", "1;", "%FF", "1%2F..",
    ];

    public static readonly string[] NameSpellings =
    [
        "no-such", "%00", "..%2F..%2Fetc%2Fpasswd", "%27%20OR%201%3D1%20--", "%F0%9F%98%80", new string('a', 3000),
        "%C0%AE%C0%AE", "%FF%FE", "v1", "a%2Fb", "%ED%A0%80", "HOSTILE_SECRET%00",
    ];

    /// <summary>A well-formed uuid that no link has.</summary>
    public const string MissingUuid = "5f0c1e9a-3b2d-4c7e-9f81-2a6b4d8e0c13";

    public static string[] UuidSpellings(string uuid) =>
    [
        uuid.Replace("-", ""), "%7B" + uuid + "%7D", uuid.ToUpperInvariant(), "%20" + uuid + "%20", uuid.Replace("-", "%2D"),
        uuid + "%00", "00000000-0000-0000-0000-000000000000", uuid[..^1], uuid + "0", "(" + uuid + ")", "%7B" + uuid.ToUpperInvariant().Replace("-", "") + "%7D",
        uuid.Replace("-", "%E2%80%90"), "..%2F..%2Fetc%2Fpasswd", "'%20OR%201=1%20--", MissingUuid,
    ];

    public static readonly string[] QueryStrings =
    [
        "?parameters=" + Uri.EscapeDataString("{\"id\":1}"), "?parameters=" + Uri.EscapeDataString("{\"id\":\"\\ud800\"}"),
        "?parameters=" + Uri.EscapeDataString("{\"id\":1,\"id\":2}"), "?parameters=" + Uri.EscapeDataString(NestedArrays(1000)),
        "?parameters=%00", "?parameters=" + Uri.EscapeDataString("1e309"), "?model-id=1e3", "?model-id=-1", "?model-id=99999999999999999999",
        "?archived=maybe", "?archived=%00", "?limit=-1&offset=99999999999999", "?limit=1e3&offset=0x10", "?action-id=abc&status=%00&source=x",
        "?action-id=1&action-id=2", "?x=%FF%FE", "?q=" + Uri.EscapeDataString("' OR 1=1 --"), "?include_deactivated=2",
    ];

    private static readonly (string Label, (string, string)[] Headers)[] MalformedAuth =
    [
        ("session garbage", [("X-Metabase-Session", "garbage")]),
        ("session empty", [("X-Metabase-Session", "")]),
        ("session 16 KB", [("X-Metabase-Session", new string('a', 16 * 1024))]),
        ("session non-ASCII", [("X-Metabase-Session", "tökén-😀-ключ")]),
        ("session SQL", [("X-Metabase-Session", "' OR 1=1 --")]),
        ("session zero uuid", [("X-Metabase-Session", "00000000-0000-0000-0000-000000000000")]),
        ("bearer empty", [("Authorization", "Bearer ")]),
        ("bearer garbage", [("Authorization", "Bearer garbage%00")]),
        ("basic", [("Authorization", "Basic YWRtaW5AZXhhbXBsZS5jb206eA==")]),
        ("bearer non-ASCII", [("Authorization", "Bearer " + new string('é', 200))]),
        ("api key garbage", [("X-Api-Key", "mb_garbage")]),
        ("api key 8 KB", [("X-Api-Key", "mb_" + new string('A', 8 * 1024))]),
        ("api key non-ASCII", [("X-Api-Key", "ключ")]),
        ("cookie garbage", [("Cookie", "actions.auth=garbage; .AspNetCore.Antiforgery.x=%00")]),
        ("cookie 4 KB", [("Cookie", "actions.auth=" + new string('A', 4000))]),
        ("two session headers", [("X-Metabase-Session", "a"), ("X-Metabase-Session", "b")]),
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "text/plain", "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded", "application/json; charset=utf-16",
        "application/xml", "application/json; charset=\"\"", "*/*", "application/json; charset=latin1", "💥/json",
    ];

    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"];

    /// <summary>The fixed, seeded list of requests for one role over every route.</summary>
    public static List<HostileRequest> Generate(IReadOnlyList<RouteInfo> routes, HostileWorld world, Role role)
    {
        var random = new Random(Seed + (int)role);
        var generator = new Generator(world, role, random);
        var list = new List<HostileRequest>();
        foreach (var route in routes) list.AddRange(generator.For(route));
        // Deletes, logout and the like go last, so that the requests before them still hit real objects.
        return [.. list.Where(r => !r.Destructive), .. list.Where(r => r.Destructive)];
    }

    private sealed class Generator(HostileWorld world, Role role, Random random)
    {
        private int _valueCursor;
        private int _deepCursor;
        private int _hugeBodies;

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private string NextValue() => Values[(_valueCursor++ + random.Next(3)) % Values.Length];

        private (string Label, (string, string)[] Headers) GoodAuth()
        {
            switch (role)
            {
                case Role.Member:
                    var n = random.Next(10);
                    return n switch
                    {
                        < 6 => ("member session", [("X-Metabase-Session", world.MemberSession)]),
                        < 8 => ("member api key", [("X-Api-Key", world.MemberApiKey)]),
                        _ => ("member bearer", [("Authorization", "Bearer " + world.MemberSession)]),
                    };
                case Role.Superuser:
                    return ("superuser session", [("X-Metabase-Session", world.AdminSession)]);
                default:
                    return ("none", []);
            }
        }

        public IEnumerable<HostileRequest> For(RouteInfo route)
        {
            var full = role != Role.Anonymous || route.Anonymous || route.Prefix.StartsWith("api/public", StringComparison.Ordinal);
            var baseBody = BaseBodies(route);

            // The route as a script would call it, on each real object and on a missing one.
            foreach (var path in RealPaths(route)) yield return Make(route, route.Method, path, "baseline", Json(baseBody.FirstOrDefault()));
            if (route.HasParameters) yield return Make(route, route.Method, Fill(route.Pattern, _ => MissingValue(route)), "missing object", Json(baseBody.FirstOrDefault()));

            // Every body key (nested ones too) with a wrong value, on a real object.
            if (full)
                foreach (var body in baseBody)
                    foreach (var keyPath in KeyPaths(body))
                    {
                        var value = NextValue();
                        if (_hugeBodies < 6 && random.Next(40) == 0)
                        {
                            value = OneMebibytePlusOne;
                            _hugeBodies++;
                        }
                        yield return Make(route, route.Method, Pick(RealPaths(route)), $"{string.Join(".", keyPath)} = {Short(value)}",
                            Encoding.UTF8.GetBytes(Render(body, keyPath, 0, value)));
                    }

            // A string key also gets one of the strings that nest deep inside (jq, SQL templates): their parsers recurse.
            if (full)
                foreach (var body in baseBody)
                    foreach (var keyPath in KeyPaths(body).Where(p => Lookup(body, p) is JsonValue v && v.TryGetValue<string>(out _)))
                        yield return Make(route, route.Method, Pick(RealPaths(route)), $"{string.Join(".", keyPath)} = deep string",
                            Encoding.UTF8.GetBytes(Render(body, keyPath, 0, DeepStrings[_deepCursor++ % DeepStrings.Length])));

            // Whole bodies: duplicate keys, a lone surrogate and invalid UTF-8 on every route that reads a body; deep
            // nesting and odd JSON drawn from the rest.
            var wholeBodies = WholeBodies(baseBody.FirstOrDefault()).ToList();
            var always = new List<(string Label, byte[] Bytes)>();
            if (full)
            {
                always.AddRange(wholeBodies.Where(b => b.Label.StartsWith("duplicate key", StringComparison.Ordinal) || b.Label.StartsWith("lone surrogate", StringComparison.Ordinal)));
                var invalidUtf8 = wholeBodies.Where(b => b.Label.StartsWith("invalid UTF-8", StringComparison.Ordinal)).ToList();
                if (invalidUtf8.Count > 0) always.Add(invalidUtf8[_deepCursor % invalidUtf8.Count]);
                always.Add(wholeBodies[_deepCursor++ % (Depths.Length * 2)]); // the nested bodies come first
            }
            foreach (var (label, bytes) in always.Concat(Enumerable.Range(0, full ? 3 : 1).Select(_ => Pick(wholeBodies))))
                yield return Make(route, route.Method, Pick(RealPaths(route)), label, bytes);

            // Every id spelling, a few per route.
            if (route.HasParameters)
                for (var i = 0; i < (full ? 6 : 2); i++)
                {
                    var spelled = Fill(route.Pattern, p => Spelling(route, p));
                    yield return Make(route, route.Method, spelled, "id spelling", Json(baseBody.FirstOrDefault()));
                }

            // Wrong methods.
            foreach (var method in AllMethods.Where(m => m != route.Method).OrderBy(_ => random.Next()).Take(full ? 2 : 1))
                yield return Make(route, method, Pick(RealPaths(route)), "wrong method", Json(baseBody.FirstOrDefault()));

            // Odd content types (and form bodies).
            for (var i = 0; i < (full ? 2 : 0); i++)
            {
                var contentType = Pick(ContentTypes);
                var bytes = contentType == "application/x-www-form-urlencoded"
                    ? Encoding.UTF8.GetBytes("username=a%40b.c&password=%00&parameters=%7B%7D&name=%FF")
                    : Json(baseBody.FirstOrDefault());
                yield return Make(route, route.Method, Pick(RealPaths(route)), $"content type {contentType ?? "none"}", bytes) with { ContentType = contentType };
            }

            // Malformed credentials, alone or beside good ones.
            for (var i = 0; i < 2; i++)
            {
                var (label, headers) = Pick(MalformedAuth);
                var request = Make(route, route.Method, Pick(RealPaths(route)), "malformed credentials", Json(baseBody.FirstOrDefault()));
                var alongside = random.Next(2) == 0;
                yield return request with
                {
                    Headers = alongside ? [.. request.Headers, .. headers] : [.. headers],
                    AuthLabel = alongside ? $"{request.AuthLabel} + {label}" : label,
                };
            }

            // Odd query strings.
            if (route.Method == "GET")
                for (var i = 0; i < (full ? 2 : 1); i++)
                {
                    var query = Pick(QueryStrings);
                    yield return Make(route, "GET", Pick(RealPaths(route)) + query, "query string", null);
                }

            // A chunked body now and then.
            if (full && baseBody.Count > 0 && random.Next(4) == 0)
                yield return Make(route, route.Method, Pick(RealPaths(route)), "chunked body", Json(baseBody[0])) with { Chunked = true };
        }

        private HostileRequest Make(RouteInfo route, string method, string path, string what, byte[]? body)
        {
            var (label, headers) = GoodAuth();
            var destructive = (method == "DELETE" && !path.Contains("999999", StringComparison.Ordinal))
                || route.Key is "api/session" && method == "DELETE"
                || route.Key.EndsWith("/regenerate", StringComparison.Ordinal) || route.Key.EndsWith("/password", StringComparison.Ordinal)
                || route.Key is "api/collection/graph" or "api/setting/{}" or "api/user/{}";
            return new HostileRequest(role, method, path, what)
            {
                Headers = [.. headers], AuthLabel = label,
                Body = method is "GET" or "HEAD" or "DELETE" or "OPTIONS" or "TRACE" && random.Next(8) != 0 ? null : body,
                Destructive = destructive && role != Role.Anonymous, RouteKey = route.Key,
            };
        }

        private List<JsonObject> BaseBodies(RouteInfo route)
        {
            if (route.Method == "POST" && route.Key == "api/action") return [.. world.ActionBodies()];
            var body = world.BaseBody(route.Method, route.Key);
            return body is null ? [] : [body];
        }

        private List<string> RealPaths(RouteInfo route) => RealPathCache.TryGetValue(route, out var paths) ? paths
            : RealPathCache[route] = route.HasParameters
                ? [.. (world.RealIds.TryGetValue(route.Prefix, out var ids) ? ids : ["1"]).Select(id => Fill(route.Pattern, p => p.IsCatchAll ? "no-such/route" : p.Name == "documentName" ? "v1" : id))]
                : ["/" + (route.Pattern.RawText ?? "").TrimStart('/')];

        private Dictionary<RouteInfo, List<string>> RealPathCache { get; } = [];

        private static string MissingValue(RouteInfo route) =>
            route.Prefix.Contains("public", StringComparison.Ordinal) ? MissingUuid : route.Pattern.Parameters.Any(p => p.ParameterPolicies.Count > 0) ? "999999" : "no-such";

        private string Spelling(RouteInfo route, RoutePatternParameterPart parameter)
        {
            if (route.Prefix.Contains("public", StringComparison.Ordinal)) return Pick(UuidSpellings(world.QueryUuid));
            if (parameter.ParameterPolicies.Count > 0) return Pick(IdSpellings);
            return Pick(random.Next(3) == 0 ? IdSpellings : NameSpellings);
        }

        private static string Fill(RoutePattern pattern, Func<RoutePatternParameterPart, string> value)
        {
            var sb = new StringBuilder();
            foreach (var segment in pattern.PathSegments)
            {
                sb.Append('/');
                foreach (var part in segment.Parts)
                    sb.Append(part switch
                    {
                        RoutePatternLiteralPart literal => literal.Content,
                        RoutePatternSeparatorPart separator => separator.Content,
                        RoutePatternParameterPart parameter => value(parameter),
                        _ => "",
                    });
            }
            return sb.Length == 0 ? "/" : sb.ToString();
        }

        private IEnumerable<(string Label, byte[] Bytes)> WholeBodies(JsonObject? body)
        {
            foreach (var depth in Depths)
            {
                yield return ($"body: arrays nested {depth}", Encoding.UTF8.GetBytes(NestedArrays(depth)));
                yield return ($"body: objects nested {depth}", Encoding.UTF8.GetBytes(NestedObjects(depth)));
            }
            foreach (var text in new[] { "null", "[]", "\"x\"", "1e309", "-0", "{", "{\"a\":1,}", "{'a':1}", "{\"a\":NaN}", "\"\\ud800\"", "{}{}", "[1,]", "\u00a0{}" })
                yield return ($"body: {text}", Encoding.UTF8.GetBytes(text));
            yield return ("body: BOM then {}", [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']);
            yield return ("body: UTF-16", Encoding.Unicode.GetBytes("{\"name\":\"x\"}"));
            yield return ("body: raw NUL in a string", Encoding.UTF8.GetBytes("{\"name\":\"a\0b\"}"));
            if (body is null || body.Count == 0) yield break;
            var first = body.First().Key;
            // Invalid UTF-8 inside a string value: a lone continuation byte, an overlong '/', an encoded surrogate, 0xFF.
            foreach (var invalid in new byte[][] { [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF, 0xFE], [0xC3] })
                yield return ($"invalid UTF-8 {Convert.ToHexString(invalid)} in {first}", InvalidUtf8(body, first, invalid));
            yield return ($"duplicate key {first} (wrong type first)", Encoding.UTF8.GetBytes(Duplicate(body, first, "1")));
            yield return ($"duplicate key {first} (lone surrogate first)", Encoding.UTF8.GetBytes(Duplicate(body, first, "\"\\ud800x\"")));
            yield return ($"lone surrogate in {first}", Encoding.UTF8.GetBytes(Render(body, [first], 0, "\"\\ud800x\"")));
        }
    }

    public static byte[] Json(JsonNode? body) => body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());

    /// <summary>Every key path of a body, containers and their leaves (to a depth of 4).</summary>
    public static IEnumerable<string[]> KeyPaths(JsonNode? node, int depth = 0)
    {
        if (depth >= 4) yield break;
        if (node is JsonObject o)
            foreach (var (key, value) in o)
            {
                yield return [key];
                foreach (var rest in KeyPaths(value, depth + 1)) yield return [key, .. rest];
            }
        else if (node is JsonArray a && a.Count > 0)
            foreach (var rest in KeyPaths(a[0], depth + 1)) yield return ["0", .. rest];
    }

    public static JsonNode? Lookup(JsonNode? node, IEnumerable<string> path) =>
        path.Aggregate(node, (n, key) => n switch { JsonObject o => o[key], JsonArray a when int.TryParse(key, out var i) && i < a.Count => a[i], _ => null });

    /// <summary>The body as JSON text, with the value at <paramref name="path"/> replaced by raw JSON text.</summary>
    public static string Render(JsonNode? node, IReadOnlyList<string> path, int index, string raw)
    {
        if (index == path.Count) return raw;
        switch (node)
        {
            case JsonObject o:
                return "{" + string.Join(",", o.Select(kv => Quote(kv.Key) + ":" +
                    (kv.Key == path[index] ? Render(kv.Value, path, index + 1, raw) : kv.Value?.ToJsonString() ?? "null"))) + "}";
            case JsonArray a:
                return "[" + string.Join(",", a.Select((v, i) =>
                    i.ToString(System.Globalization.CultureInfo.InvariantCulture) == path[index] ? Render(v, path, index + 1, raw) : v?.ToJsonString() ?? "null")) + "]";
            default:
                return raw;
        }
    }

    /// <summary><c>{"key": first, …the body…}</c>: the key twice.</summary>
    public static string Duplicate(JsonObject body, string key, string first)
    {
        var rest = body.ToJsonString();
        return "{" + Quote(key) + ":" + first + (rest.Length > 2 ? "," + rest[1..] : "}");
    }

    private static byte[] InvalidUtf8(JsonObject body, string key, byte[] invalid)
    {
        var text = Render(body, [key], 0, "\"@INVALID@\"");
        var bytes = Encoding.UTF8.GetBytes(text);
        var marker = Encoding.UTF8.GetBytes("@INVALID@");
        var at = bytes.AsSpan().IndexOf(marker);
        return [.. bytes[..at], .. invalid, .. bytes[(at + marker.Length)..]];
    }

    public static string Short(string s, int max = 60)
    {
        var oneLine = s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
        return oneLine.Length <= max ? oneLine : $"{oneLine[..max]}…({s.Length} chars)";
    }
}
