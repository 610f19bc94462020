using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Api;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Hostile;

/// <summary>
/// Real objects for one test's requests to hit, made through the API: a member with a session and an API key,
/// a group, a collection, a SQLite database with tables and models, a query action, the implicit actions, an
/// HTTP action that sends the secret, and public links. Each test has its own world, so that one role's
/// deletes do not empty another's.
/// </summary>
public sealed class HostileWorld
{
    public const string SecretName = "HOSTILE_SECRET";

    /// <summary>Distinctive, mixed case (so a lower-cased copy is told apart from the masked exact text).</summary>
    public const string SecretValue = "Zq7-HostileSecret-Vx93Kp";

    public required string AdminSession { get; init; }
    public required string MemberSession { get; init; }
    public required int MemberId { get; init; }
    public required string MemberApiKey { get; init; }
    public required int ApiKeyId { get; init; }
    public required int GroupId { get; init; }
    public required int MembershipId { get; init; }
    public required int CollectionId { get; init; }
    public required int DatabaseId { get; init; }
    public required string TargetPath { get; init; }
    public required int TableId { get; init; }
    public required int FieldId { get; init; }
    public required int ModelId { get; init; }
    public required int QueryActionId { get; init; }
    public required int ImplicitUpdateId { get; init; }
    public required int HttpActionId { get; init; }
    public required string QueryUuid { get; init; }
    public required string ImplicitUuid { get; init; }
    public required string EchoUrl { get; init; }

    /// <summary>Existing objects by the route's literal prefix (<c>api/action</c>, <c>actions</c>, …).</summary>
    public Dictionary<string, string[]> RealIds => new()
    {
        ["api/action"] = [$"{QueryActionId}", $"{ImplicitUpdateId}", $"{HttpActionId}"],
        ["actions"] = [$"{QueryActionId}", $"{HttpActionId}"],
        ["api/card"] = [$"{ModelId}"],
        ["api/model"] = [$"{ModelId}"],
        ["models"] = [$"{ModelId}"],
        ["api/database"] = [$"{DatabaseId}"],
        ["api/table"] = [$"{TableId}"],
        ["api/field"] = [$"{FieldId}"],
        ["api/user"] = [$"{MemberId}"],
        ["api/permissions/group"] = [$"{GroupId}"],
        ["api/permissions/membership"] = [$"{MembershipId}"],
        ["api/api-key"] = [$"{ApiKeyId}"],
        ["api/collection"] = [$"{CollectionId}", "root"],
        ["api/public/action"] = [QueryUuid, ImplicitUuid],
        ["public/action"] = [QueryUuid, ImplicitUuid],
        ["api/setting"] = ["site-name", "enable-public-sharing", "site-url"],
        ["api/secret"] = [SecretName],
    };

    /// <summary>Once per app: the first superuser, public sharing on, the secret (bound to the echo's host).</summary>
    public static async Task<string> SetUpAppAsync(ApiClient anonymous)
    {
        var token = (await anonymous.Post("/api/setup", new { user = new { email = "admin@example.com", password = Seeded.AdminPassword, first_name = "Ada", last_name = "Admin" } }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var admin = anonymous.WithSession(token);
        (await admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        (await admin.Post("/api/secret", new { name = SecretName, value = SecretValue, allowed_hosts = new[] { "127.0.0.1" } })).Expect(HttpStatusCode.OK);
        return token;
    }

    public static async Task<HostileWorld> CreateAsync(ApiClient anonymous, string echoUrl, string label)
    {
        var adminSession = (await anonymous.Post("/api/session", new { username = "admin@example.com", password = Seeded.AdminPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var admin = anonymous.WithSession(adminSession);
        var groupId = await Seeded.GroupAsync(admin);
        var email = $"member-{label}@example.com";
        var memberId = (await admin.Post("/api/user", new { email, first_name = "Mo", last_name = "Member", password = Seeded.UserPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var membershipId = (await admin.Post("/api/permissions/membership", new { group_id = groupId, user_id = memberId }))
            .Expect(HttpStatusCode.OK).Json["membership_id"]!.GetValue<int>();
        var memberSession = (await anonymous.Post("/api/session", new { username = email, password = Seeded.UserPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var key = await Seeded.ApiKeyAsync(admin, groupId);
        var collectionId = (await admin.Post("/api/collection", new { name = $"Hostile {label}" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

        var path = TargetDatabases.Sqlite(ActionSetup.CategoriesDdl);
        var databaseId = await TargetDatabases.RegisterAsync(admin, "sqlite", new JsonObject { ["db"] = path });
        var (tableId, fields) = await TargetDatabases.TableAsync(admin, databaseId, "categories");
        var modelId = (await admin.Post("/api/card", ModelsApiTests.Model("categories", databaseId, tableId).ToJsonString()))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
        var setup = new ActionSetup { Admin = admin, DatabaseId = databaseId, Path = path, Models = new() { ["categories"] = modelId } };
        var queryActionId = await setup.CreateAsync(setup.FixtureAction());
        var implicitIds = (await admin.Post($"/api/model/{modelId}/implicit-actions")).Expect(HttpStatusCode.OK).Json.AsArray()
            .ToDictionary(a => a!["kind"]!.GetValue<string>(), a => a!["id"]!.GetValue<int>());
        var httpActionId = await setup.CreateAsync(HttpAction(modelId, $"{echoUrl}/admin/{{{{q}}}}", """{"Authorization": "Bearer {{secret:HOSTILE_SECRET}}"}""", ".body"));
        var queryUuid = (await admin.Post($"/api/action/{queryActionId}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var implicitUuid = (await admin.Post($"/api/action/{implicitIds["row/create"]}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();

        return new HostileWorld
        {
            AdminSession = adminSession, MemberSession = memberSession, MemberId = memberId,
            MemberApiKey = key["unmasked_key"]!.GetValue<string>(), ApiKeyId = key["id"]!.GetValue<int>(),
            GroupId = groupId, MembershipId = membershipId, CollectionId = collectionId,
            DatabaseId = databaseId, TargetPath = path, TableId = tableId, FieldId = fields["name"]["id"]!.GetValue<int>(), ModelId = modelId,
            QueryActionId = queryActionId, ImplicitUpdateId = implicitIds["row/update"], HttpActionId = httpActionId,
            QueryUuid = queryUuid, ImplicitUuid = implicitUuid, EchoUrl = echoUrl,
        };
    }

    public static JsonObject HttpAction(int modelId, string url, string? headers, string? responseHandle, string? errorHandle = null) => new()
    {
        ["name"] = "Call the echo", ["type"] = "http", ["model_id"] = modelId,
        ["response_handle"] = responseHandle, ["error_handle"] = errorHandle,
        ["parameters"] = new JsonArray(new JsonObject { ["id"] = "q", ["slug"] = "q", ["type"] = "string/=" }),
        ["template"] = new JsonObject { ["method"] = "POST", ["url"] = url, ["headers"] = headers, ["body"] = """{"q": "{{q}}"}""" },
    };

    /// <summary>A valid body for each route that takes one (by method and pattern with parameters as <c>{}</c>).</summary>
    public JsonObject? BaseBody(string method, string route) => (method, route) switch
    {
        ("POST", "api/session") => new() { ["username"] = "admin@example.com", ["password"] = "not-the-Passw0rd" },
        ("POST", "api/setup") => new() { ["user"] = new JsonObject { ["email"] = "second@example.com", ["password"] = Seeded.AdminPassword, ["first_name"] = "S", ["last_name"] = "T" }, ["prefs"] = new JsonObject { ["site_name"] = "x" } },
        ("POST", "api/action") => QueryActionBody(),
        ("PUT", "api/action/{}") => new() { ["name"] = "Renamed", ["description"] = "d", ["visualization_settings"] = new JsonObject { ["fields"] = new JsonObject() }, ["parameters"] = new JsonArray(), ["archived"] = false },
        ("POST", "api/action/{}/execute") => new() { ["parameters"] = new JsonObject { ["id"] = 1, ["name"] = "x", ["q"] = "y" } },
        ("POST", "api/action/{}/execute/values") => new() { ["parameters"] = new JsonObject { ["id"] = 1 } },
        ("POST", "api/public/action/{}/execute") => new() { ["parameters"] = new JsonObject { ["id"] = 1, ["name"] = "x" } },
        ("POST", "api/card") => ModelsApiTests.Model("hostile", DatabaseId, TableId, CollectionId),
        ("PUT", "api/card/{}") => new() { ["name"] = "m", ["description"] = "d", ["visualization_settings"] = new JsonObject(), ["archived"] = false },
        ("POST", "api/collection") => new() { ["name"] = "c", ["parent_id"] = CollectionId },
        ("PUT", "api/collection/{}") => new() { ["name"] = "c2" },
        ("PUT", "api/collection/graph") => new() { ["revision"] = 0, ["groups"] = new JsonObject { [$"{GroupId}"] = new JsonObject { [$"{CollectionId}"] = "read" } } },
        ("POST", "api/database") => new() { ["name"] = "d", ["engine"] = "sqlite", ["details"] = new JsonObject { ["db"] = TargetPath } },
        ("PUT", "api/database/{}") => new() { ["name"] = "d2", ["details"] = new JsonObject { ["db"] = TargetPath }, ["settings"] = new JsonObject { ["database-enable-actions"] = true } },
        ("PUT", "api/field/{}") => new() { ["display_name"] = "Name", ["visibility_type"] = "normal", ["semantic_type"] = null },
        ("POST", "api/permissions/group") => new() { ["name"] = "g" },
        ("POST", "api/permissions/membership") => new() { ["group_id"] = GroupId, ["user_id"] = MemberId },
        ("POST", "api/api-key") => new() { ["name"] = "k", ["group_id"] = GroupId },
        ("POST", "api/secret") => new() { ["name"] = "OTHER", ["value"] = "v", ["allowed_hosts"] = new JsonArray("127.0.0.1") },
        ("PUT", "api/secret/{}") => new() { ["value"] = "v", ["allowed_hosts"] = new JsonArray("127.0.0.1") },
        ("PUT", "api/setting/{}") => new() { ["value"] = "Hostile site" },
        ("POST", "api/user") => new() { ["email"] = "u@example.com", ["first_name"] = "U", ["last_name"] = "V", ["password"] = Seeded.UserPassword },
        ("PUT", "api/user/{}") => new() { ["first_name"] = "Mo", ["last_name"] = "M", ["email"] = $"member-{MemberId}@example.com" },
        ("PUT", "api/user/{}/password") => new() { ["password"] = Seeded.UserPassword, ["old_password"] = Seeded.UserPassword },
        ("POST", "api/dataset") => new() { ["database"] = DatabaseId, ["type"] = "native", ["native"] = new JsonObject { ["query"] = "select 1" } },
        ("POST", "api/card/{}/query") => new() { ["parameters"] = new JsonArray() },
        ("POST" or "PUT" or "PATCH", _) => new() { ["name"] = "x", ["id"] = 1, ["value"] = "v" },
        _ => null,
    };

    /// <summary>The three action types, for POST /api/action (picked by the generator).</summary>
    public JsonObject[] ActionBodies() =>
    [
        QueryActionBody(),
        new() { ["name"] = "Implicit", ["type"] = "implicit", ["kind"] = "row/update", ["model_id"] = ModelId },
        HttpAction(ModelId, $"{EchoUrl}/member/{{{{q}}}}", """{"X-A": "{{q}}"}""", ".body", ".status >= 400"),
    ];

    private JsonObject QueryActionBody() => new()
    {
        ["name"] = "Hostile", ["type"] = "query", ["model_id"] = ModelId, ["database_id"] = DatabaseId,
        ["dataset_query"] = new JsonObject
        {
            ["database"] = DatabaseId, ["type"] = "native",
            ["native"] = new JsonObject
            {
                ["query"] = "UPDATE categories SET name = {{name}} WHERE id = {{id}}",
                ["template-tags"] = new JsonObject
                {
                    ["id"] = new JsonObject { ["id"] = "tag-id", ["name"] = "id", ["display-name"] = "ID", ["type"] = "number", ["required"] = true },
                    ["name"] = new JsonObject { ["id"] = "tag-name", ["name"] = "name", ["display-name"] = "Name", ["type"] = "text" },
                },
            },
        },
        ["parameters"] = new JsonArray(
            new JsonObject { ["id"] = "id", ["slug"] = "id", ["type"] = "number/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "id")) },
            new JsonObject { ["id"] = "name", ["slug"] = "name", ["type"] = "string/=", ["target"] = new JsonArray("variable", new JsonArray("template-tag", "name")) }),
        ["visualization_settings"] = new JsonObject { ["type"] = "form", ["fields"] = new JsonObject { ["id"] = new JsonObject { ["id"] = "id", ["hidden"] = false } } },
    };
}
