using System.Net;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.Api;

public sealed class UsersGroupsApiKeysTests : IDisposable
{
    private const string Forbidden = "You don't have permissions to do that.";
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Superuser_lists_creates_and_reads_users()
    {
        var admin = await Seeded.AdminAsync(_app);
        var created = (await admin.Post("/api/user", new { email = "bob@example.com", first_name = "Bob", last_name = "Builder", password = "B0b-passw0rd!" }))
            .Expect(HttpStatusCode.OK).Json;
        Assert.Equal("bob@example.com", created["email"]!.GetValue<string>());
        Assert.False(created["is_superuser"]!.GetValue<bool>());
        Assert.True(created["is_active"]!.GetValue<bool>());
        Assert.Equal([1], created["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()));
        Assert.NotNull(created["date_joined"]);

        var list = (await admin.Get("/api/user")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, list["total"]!.GetValue<int>());
        Assert.Equal(2, list["data"]!.AsArray().Count);

        var id = created["id"]!.GetValue<int>();
        Assert.Equal("Bob Builder", (await admin.Get($"/api/user/{id}")).Expect(HttpStatusCode.OK).Json["common_name"]!.GetValue<string>());
        (await admin.Get("/api/user/99999")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Existing_email_is_refused_with_metabase_text()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = (await admin.Post("/api/user", new { email = "ADMIN@example.com", first_name = "X", last_name = "Y" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"errors":{"email":"Email address already in use."}}""", response.Body);
    }

    [Fact]
    public async Task Rejected_password_reports_identity_reason()
    {
        var admin = await Seeded.AdminAsync(_app);
        var response = (await admin.Post("/api/user", new { email = "p@example.com", first_name = "P", last_name = "Q", password = "nodigits-Here!" }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal("Passwords must have at least one digit ('0'-'9').", response.Json["errors"]!["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task Non_superuser_cannot_administer_users_groups_keys_or_settings()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (user, id) = await Seeded.UserAsync(admin);
        (await user.Get("/api/user")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Post("/api/user", new { email = "z@example.com", first_name = "Z", last_name = "Z" })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Get("/api/user/1")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Put($"/api/user/{id}", new { is_superuser = true })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Get("/api/permissions/group")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Post("/api/permissions/group", new { name = "x" })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Post("/api/permissions/membership", new { group_id = 2, user_id = id })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Post("/api/api-key", new { name = "k", group_id = 1 })).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Get("/api/api-key")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Get("/api/setting")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        (await user.Get("/api/collection/graph")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        // A user may read and rename themself.
        (await user.Get($"/api/user/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("Renamed", (await user.Put($"/api/user/{id}", new { first_name = "Renamed" })).Expect(HttpStatusCode.OK).Json["first_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Superuser_flag_follows_administrators_membership()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (user, id) = await Seeded.UserAsync(admin);
        var promoted = (await admin.Put($"/api/user/{id}", new { is_superuser = true })).Expect(HttpStatusCode.OK).Json;
        Assert.True(promoted["is_superuser"]!.GetValue<bool>());
        Assert.Contains(2, promoted["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()));
        // The promotion is effective for the user's existing session.
        (await user.Get("/api/user")).Expect(HttpStatusCode.OK);

        var demoted = (await admin.Put($"/api/user/{id}", new { is_superuser = false })).Expect(HttpStatusCode.OK).Json;
        Assert.False(demoted["is_superuser"]!.GetValue<bool>());
        (await user.Get("/api/user")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
    }

    [Fact]
    public async Task Deactivating_a_user_ends_their_sessions_and_refuses_sign_in()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (user, id) = await Seeded.UserAsync(admin, "leaver@example.com");
        (await admin.Delete($"/api/user/{id}")).Expect(HttpStatusCode.NoContent);
        (await user.Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await _app.Api().Post("/api/session", new { username = "leaver@example.com", password = Seeded.UserPassword })).Expect(HttpStatusCode.Unauthorized);
        Assert.False((await admin.Get($"/api/user/{id}")).Json["is_active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_user_list_leaves_out_deactivated_users_unless_asked()
    {
        var admin = await Seeded.AdminAsync(_app);
        var (_, stays) = await Seeded.UserAsync(admin);
        var (_, leaves) = await Seeded.UserAsync(admin);
        (await admin.Delete($"/api/user/{leaves}")).Expect(HttpStatusCode.NoContent);
        static List<int> Ids(ApiClient.Response r) => [.. r.Expect(HttpStatusCode.OK).Json["data"]!.AsArray().Select(u => u!["id"]!.GetValue<int>())];
        var active = await admin.Get("/api/user");
        Assert.Equal([1, stays], Ids(active));
        Assert.Equal(2, active.Json["total"]!.GetValue<int>());
        Assert.Equal([1, stays], Ids(await admin.Get("/api/user?include_deactivated=false")));
        Assert.Equal([1, stays, leaves], Ids(await admin.Get("/api/user?include_deactivated=true")));
        (await admin.Get("/api/user?include_deactivated=yes")).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_last_superuser_cannot_be_removed()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Put("/api/user/1", new { is_superuser = false })).Expect(HttpStatusCode.BadRequest);
        (await admin.Delete("/api/user/1")).Expect(HttpStatusCode.BadRequest);
        Assert.True((await admin.Get("/api/user/current")).Json["is_superuser"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Groups_list_create_delete_with_member_counts()
    {
        var admin = await Seeded.AdminAsync(_app);
        var groups = (await admin.Get("/api/permissions/group")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Equal("All Users", groups[0]!["name"]!.GetValue<string>());
        Assert.Equal(1, groups[0]!["id"]!.GetValue<int>());
        Assert.Equal("Administrators", groups[1]!["name"]!.GetValue<string>());
        Assert.Equal(1, groups[1]!["member_count"]!.GetValue<int>());

        var id = await Seeded.GroupAsync(admin, "Editors");
        await Seeded.UserAsync(admin, null, id);
        var editors = (await admin.Get("/api/permissions/group")).Json.AsArray().Single(g => g!["id"]!.GetValue<int>() == id)!;
        Assert.Equal(1, editors["member_count"]!.GetValue<int>());

        (await admin.Delete("/api/permissions/group/1")).Expect(HttpStatusCode.BadRequest);
        (await admin.Delete("/api/permissions/group/2")).Expect(HttpStatusCode.BadRequest);
        (await admin.Delete($"/api/permissions/group/{id}")).Expect(HttpStatusCode.NoContent);
        (await admin.Delete($"/api/permissions/group/{id}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Adding_an_existing_member_returns_the_existing_membership_and_removal_works()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin);
        var (_, userId) = await Seeded.UserAsync(admin);
        var first = (await admin.Post("/api/permissions/membership", new { group_id = group, user_id = userId })).Expect(HttpStatusCode.OK).Json;
        var second = (await admin.Post("/api/permissions/membership", new { group_id = group, user_id = userId })).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(first["membership_id"]!.GetValue<int>(), second["membership_id"]!.GetValue<int>());
        Assert.Equal(group, first["group_id"]!.GetValue<int>());
        Assert.Equal(userId, first["user_id"]!.GetValue<int>());

        (await admin.Delete($"/api/permissions/membership/{first["membership_id"]}")).Expect(HttpStatusCode.NoContent);
        var user = (await admin.Get($"/api/user/{userId}")).Json;
        Assert.DoesNotContain(group, user["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()));
        (await admin.Post("/api/permissions/membership", new { group_id = 9999, user_id = userId })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        (await admin.Post("/api/permissions/membership", new { group_id = "x", user_id = userId })).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Api_key_is_shown_once_acts_as_its_own_user_and_is_stored_hashed()
    {
        var admin = await Seeded.AdminAsync(_app);
        var group = await Seeded.GroupAsync(admin, "Scripts");
        var created = await Seeded.ApiKeyAsync(admin, group, "nightly");
        var key = created["unmasked_key"]!.GetValue<string>();
        Assert.Equal("nightly", created["name"]!.GetValue<string>());
        Assert.Equal(group, created["group"]!["id"]!.GetValue<int>());
        Assert.Equal("Scripts", created["group"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain(key, created["masked_key"]!.GetValue<string>());

        var listed = (await admin.Get("/api/api-key")).Expect(HttpStatusCode.OK).Json.AsArray().Single()!;
        Assert.Null(listed["unmasked_key"]);
        Assert.DoesNotContain(key, (await admin.Get("/api/api-key")).Body);

        var asKey = _app.Api().WithApiKey(key);
        var me = (await asKey.Get("/api/user/current")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("nightly", me["first_name"]!.GetValue<string>());
        Assert.False(me["is_superuser"]!.GetValue<bool>());
        Assert.Equal([1, group], me["group_ids"]!.AsArray().Select(g => g!.GetValue<int>()).Order());
        (await asKey.Get("/api/user")).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        // Its user is not listed among people.
        Assert.DoesNotContain((await admin.Get("/api/user")).Json["data"]!.AsArray(), u => u!["first_name"]!.GetValue<string>() == "nightly");

        using var scope = _app.Services.CreateScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var row = await db.ApiKeys.SingleAsync();
        Assert.NotEqual(key, row.KeyHash);
        Assert.Equal(Actions.Data.Security.Tokens.Hash(key), row.KeyHash);
    }

    [Fact]
    public async Task Api_key_in_administrators_is_a_superuser()
    {
        var admin = await Seeded.AdminAsync(_app);
        var key = (await Seeded.ApiKeyAsync(admin, 2))["unmasked_key"]!.GetValue<string>();
        var asKey = _app.Api().WithApiKey(key);
        Assert.True((await asKey.Get("/api/user/current")).Json["is_superuser"]!.GetValue<bool>());
        (await asKey.Get("/api/user")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Regenerate_replaces_the_key_and_delete_revokes_at_once()
    {
        var admin = await Seeded.AdminAsync(_app);
        var created = await Seeded.ApiKeyAsync(admin, 1);
        var oldKey = created["unmasked_key"]!.GetValue<string>();
        (await _app.Api().WithApiKey(oldKey).Get("/api/user/current")).Expect(HttpStatusCode.OK);

        var regenerated = (await admin.Put($"/api/api-key/{created["id"]}/regenerate")).Expect(HttpStatusCode.OK).Json;
        var newKey = regenerated["unmasked_key"]!.GetValue<string>();
        Assert.NotEqual(oldKey, newKey);
        (await _app.Api().WithApiKey(oldKey).Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await _app.Api().WithApiKey(newKey).Get("/api/user/current")).Expect(HttpStatusCode.OK);

        (await admin.Delete($"/api/api-key/{created["id"]}")).Expect(HttpStatusCode.NoContent);
        (await _app.Api().WithApiKey(newKey).Get("/api/user/current")).ExpectPlain(HttpStatusCode.Unauthorized, "Unauthenticated");
        (await admin.Delete($"/api/api-key/{created["id"]}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
    }

    [Fact]
    public async Task Api_key_for_unknown_group_is_404_and_missing_keys_are_validated()
    {
        var admin = await Seeded.AdminAsync(_app);
        (await admin.Post("/api/api-key", new { name = "k", group_id = 999 })).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        var invalid = (await admin.Post("/api/api-key", new { group_id = 0 })).Expect(HttpStatusCode.BadRequest).Json;
        Assert.Equal("value must be an integer greater than zero.", invalid["errors"]!["group_id"]!.GetValue<string>());
        Assert.Equal("value must be an integer greater than zero., received: 0", invalid["specific-errors"]!["group_id"]![0]!.GetValue<string>());
        Assert.Equal("missing required key, received: nil", invalid["specific-errors"]!["name"]![0]!.GetValue<string>());
    }
}
