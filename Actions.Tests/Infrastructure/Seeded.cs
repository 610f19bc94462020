using System.Net;
using System.Text.Json.Nodes;

namespace Actions.Tests.Infrastructure;

/// <summary>Test data made through the API itself: the first superuser, users in groups, API keys.</summary>
public static class Seeded
{
    public const string AdminPassword = "Adm1n-passw0rd!";
    public const string UserPassword = "Us3r-passw0rd!";

    /// <summary>Runs setup on a fresh app and returns a client signed in as that superuser.</summary>
    public static async Task<ApiClient> AdminAsync(AppFactory app)
    {
        var api = app.Api();
        var token = (await api.Post("/api/setup", new { user = new { email = "admin@example.com", password = AdminPassword, first_name = "Ada", last_name = "Admin" } }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        return api.WithSession(token);
    }

    /// <summary>Creates a user with a password and signs them in.</summary>
    public static async Task<(ApiClient Client, int Id)> UserAsync(ApiClient admin, string? email = null, params int[] groupIds)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        var user = (await admin.Post("/api/user", new { email, first_name = "Uma", last_name = "User", password = UserPassword }))
            .Expect(HttpStatusCode.OK).Json;
        var id = user["id"]!.GetValue<int>();
        foreach (var g in groupIds)
            (await admin.Post("/api/permissions/membership", new { group_id = g, user_id = id })).Expect(HttpStatusCode.OK);
        var token = (await admin.WithSession(null).Post("/api/session", new { username = email, password = UserPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        return (admin.WithSession(token), id);
    }

    public static async Task<int> GroupAsync(ApiClient admin, string? name = null) =>
        (await admin.Post("/api/permissions/group", new { name = name ?? $"Group {Guid.NewGuid():N}" }))
        .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    public static async Task<JsonNode> ApiKeyAsync(ApiClient admin, int groupId, string? name = null) =>
        (await admin.Post("/api/api-key", new { name = name ?? $"key-{Guid.NewGuid():N}", group_id = groupId }))
        .Expect(HttpStatusCode.OK).Json;
}
