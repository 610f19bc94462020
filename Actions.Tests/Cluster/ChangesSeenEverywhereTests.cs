using System.Net;
using System.Text.Json.Nodes;
using Actions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Actions.Tests.Cluster;

/// <summary>
/// deployment.md, several instances, point 1: two instances on one PostgreSQL store. Each change is made through A;
/// A refuses or reflects it in its very next answer, and B does too once it has heard of the change (waited for with a
/// generous deadline, never timed). B has served the old state first in every case, so its caches hold it.
/// </summary>
public sealed class ChangesSeenEverywhereTests : IDisposable
{
    private const string Forbidden = "You don't have permissions to do that.";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Actions:PublicSharing:PerLinkPerSecond"] = "10000",
        ["Actions:PublicSharing:PerClientPerMinute"] = "100000",
    };

    private readonly AppFactory _a;
    private readonly AppFactory _b;

    public ChangesSeenEverywhereTests()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "actions-tests", Guid.NewGuid().ToString("N"));
        _a = new AppFactory(Settings, dataDir, postgresStore: true);
        _b = new AppFactory(Settings, dataDir, postgresStore: true);
    }

    public void Dispose()
    {
        _b.Dispose();
        _a.Dispose();
    }

    /// <summary>A superuser and a SQLite target with models, made through A; B is started after A made the store.</summary>
    private async Task<(ActionSetup Setup, ApiClient AdminB)> SetupAsync()
    {
        var s = await ActionSetup.CreateAsync(_a);
        return (s, _b.Api(s.Admin.Session));
    }

    private static Task<ApiClient.Response> Execute(ApiClient client, int id) =>
        client.Post($"/api/action/{id}/execute", new JsonObject { ["parameters"] = new JsonObject() }.ToJsonString());

    /// <summary>Waits until instance B shows the change; fails after <see cref="Deadline"/>.</summary>
    private static async Task EventuallyAsync(string change, Func<Task<bool>> seen)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await seen())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"The other instance still did not see {change} after {Deadline.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    private static async Task<int> CollectionAsync(ApiClient admin, string name) =>
        (await admin.Post("/api/collection", new { name })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();

    private static async Task GrantAsync(ApiClient admin, int group, int collection, string level)
    {
        var revision = (await admin.Get("/api/collection/graph")).Json["revision"]!.GetValue<int>();
        var body = new JsonObject
        {
            ["revision"] = revision,
            ["groups"] = new JsonObject { [group.ToString()] = new JsonObject { [collection.ToString()] = level } },
        };
        (await admin.Put("/api/collection/graph", body.ToJsonString())).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_edited_archived_or_deleted_action_is_run_as_it_now_is_on_both_instances()
    {
        var (s, adminB) = await SetupAsync();
        const string Name = "SELECT name FROM categories WHERE id = 1";
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'first' WHERE id = 1"));
        (await Execute(adminB, id)).Expect(HttpStatusCode.OK);
        Assert.Equal("first", s.Scalar(Name));

        var changed = s.QueryAction("UPDATE categories SET name = 'second' WHERE id = 1");
        (await s.Admin.Put($"/api/action/{id}", new JsonObject { ["dataset_query"] = changed["dataset_query"]!.DeepClone() }.ToJsonString()))
            .Expect(HttpStatusCode.OK);
        (await Execute(s.Admin, id)).Expect(HttpStatusCode.OK);
        Assert.Equal("second", s.Scalar(Name));
        s.Scalar("UPDATE categories SET name = 'reset' WHERE id = 1");
        await EventuallyAsync("the edited action", async () =>
        {
            (await Execute(adminB, id)).Expect(HttpStatusCode.OK);
            return s.Scalar(Name) == "second";
        });

        (await s.Admin.Put($"/api/action/{id}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await Execute(s.Admin, id)).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        await EventuallyAsync("the archived action", async () => (await Execute(adminB, id)).Status == HttpStatusCode.NotFound);

        var other = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'third' WHERE id = 2"));
        (await Execute(adminB, other)).Expect(HttpStatusCode.OK);
        (await s.Admin.Delete($"/api/action/{other}")).Expect(HttpStatusCode.NoContent);
        (await Execute(s.Admin, other)).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        await EventuallyAsync("the deleted action", async () => (await Execute(adminB, other)).Status == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_revoked_permission_or_membership_refuses_the_run_on_both_instances()
    {
        var (s, adminB) = await SetupAsync();
        var group = await Seeded.GroupAsync(s.Admin);
        var collection = await CollectionAsync(s.Admin, "Ops");
        await GrantAsync(s.Admin, 1, collection, "none");
        await GrantAsync(s.Admin, group, collection, "read");
        (await s.Admin.Put($"/api/card/{s.Models["categories"]}", new { collection_id = collection })).Expect(HttpStatusCode.OK);
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'run' WHERE id = 1"));
        var (userA, userId) = await Seeded.UserAsync(s.Admin);
        var membership = (await s.Admin.Post("/api/permissions/membership", new { group_id = group, user_id = userId }))
            .Expect(HttpStatusCode.OK).Json["membership_id"]!.GetValue<int>();
        var userB = _b.Api(userA.Session);
        (await Execute(userB, id)).Expect(HttpStatusCode.OK);

        await GrantAsync(s.Admin, group, collection, "none");
        (await Execute(userA, id)).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        await EventuallyAsync("the revoked permission", async () => (await Execute(userB, id)).Status == HttpStatusCode.Forbidden);

        await GrantAsync(s.Admin, group, collection, "read");
        await EventuallyAsync("the granted permission", async () => (await Execute(userB, id)).Status == HttpStatusCode.OK);
        (await s.Admin.Delete($"/api/permissions/membership/{membership}")).Expect(HttpStatusCode.NoContent);
        (await Execute(userA, id)).ExpectPlain(HttpStatusCode.Forbidden, Forbidden);
        await EventuallyAsync("the removed membership", async () => (await Execute(userB, id)).Status == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_removed_public_link_or_sharing_turned_off_closes_the_form_on_both_instances()
    {
        var (s, _) = await SetupAsync();
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = true })).Expect(HttpStatusCode.NoContent);
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'public' WHERE id = 1"));
        var uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        var anonymousA = _a.Api();
        var anonymousB = _b.Api();
        (await anonymousB.Get($"/api/public/action/{uuid}")).Expect(HttpStatusCode.OK);

        (await s.Admin.Delete($"/api/action/{id}/public_link")).Expect(HttpStatusCode.NoContent);
        (await anonymousA.Get($"/api/public/action/{uuid}")).ExpectPlain(HttpStatusCode.NotFound, "Not found.");
        await EventuallyAsync("the removed link", async () => (await anonymousB.Get($"/api/public/action/{uuid}")).Status == HttpStatusCode.NotFound);

        uuid = (await s.Admin.Post($"/api/action/{id}/public_link")).Expect(HttpStatusCode.OK).Json["uuid"]!.GetValue<string>();
        await EventuallyAsync("the new link", async () => (await anonymousB.Get($"/api/public/action/{uuid}")).Status == HttpStatusCode.OK);
        (await s.Admin.Put("/api/setting/enable-public-sharing", new { value = false })).Expect(HttpStatusCode.NoContent);
        (await anonymousA.Get($"/api/public/action/{uuid}")).ExpectPlain(HttpStatusCode.BadRequest, "An error occurred.");
        await EventuallyAsync("sharing turned off", async () => (await anonymousB.Get($"/api/public/action/{uuid}")).Status == HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Actions_turned_off_and_a_changed_setting_hold_on_both_instances()
    {
        var (s, adminB) = await SetupAsync();
        var id = await s.CreateAsync(s.QueryAction("UPDATE categories SET name = 'run' WHERE id = 1"));
        (await Execute(adminB, id)).Expect(HttpStatusCode.OK);
        (await s.Admin.Put($"/api/database/{s.DatabaseId}",
            new JsonObject { ["settings"] = new JsonObject { ["database-enable-actions"] = false } }.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.Equal("Actions are not enabled.", (await Execute(s.Admin, id)).Expect(HttpStatusCode.BadRequest).Json["message"]!.GetValue<string>());
        await EventuallyAsync("actions turned off", async () => (await Execute(adminB, id)).Status == HttpStatusCode.BadRequest);

        Assert.Equal("\"Actions\"", (await adminB.Get("/api/setting/site-name")).Expect(HttpStatusCode.OK).Body);
        (await s.Admin.Put("/api/setting/site-name", new { value = "Ops desk" })).Expect(HttpStatusCode.NoContent);
        Assert.Equal("\"Ops desk\"", (await s.Admin.Get("/api/setting/site-name")).Body);
        await EventuallyAsync("the changed setting", async () => (await adminB.Get("/api/setting/site-name")).Body == "\"Ops desk\"");
    }

    [Fact]
    public async Task Changed_database_credentials_are_used_by_both_instances()
    {
        var (s, adminB) = await SetupAsync();
        var role = "r_" + Guid.NewGuid().ToString("N")[..16];
        await TargetDatabases.ExecPostgresAsync("postgres", $"CREATE ROLE {role} LOGIN PASSWORD 'first-pw'");
        string? database = null;
        try
        {
            database = await TargetDatabases.PostgresAsync(
                $"CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0); GRANT ALL ON counter TO {role};");
            var details = TargetDatabases.PostgresDetails(database, "first-pw");
            details["user"] = role;
            var databaseId = await TargetDatabases.RegisterAsync(s.Admin, "postgres", details);
            var (tableId, _) = await TargetDatabases.TableAsync(s.Admin, databaseId, "counter");
            var model = (await s.Admin.Post("/api/card", Api.ModelsApiTests.Model("counter", databaseId, tableId).ToJsonString()))
                .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<int>();
            var id = await s.CreateAsync(new JsonObject
            {
                ["name"] = "Count", ["type"] = "query", ["model_id"] = model, ["database_id"] = databaseId,
                ["dataset_query"] = new JsonObject
                {
                    ["database"] = databaseId, ["type"] = "native",
                    ["native"] = new JsonObject { ["query"] = "UPDATE counter SET n = n + 1 WHERE id = 1", ["template-tags"] = new JsonObject() },
                },
            });
            (await Execute(s.Admin, id)).Expect(HttpStatusCode.OK);
            (await Execute(adminB, id)).Expect(HttpStatusCode.OK);

            // The password changes on the server, and the connections made with the old one end.
            await TargetDatabases.ExecPostgresAsync("postgres",
                $"ALTER ROLE {role} PASSWORD 'second-pw'; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}';");
            details["password"] = "second-pw";
            (await s.Admin.Put($"/api/database/{databaseId}", new JsonObject { ["details"] = details.DeepClone() }.ToJsonString()))
                .Expect(HttpStatusCode.OK);
            (await Execute(s.Admin, id)).Expect(HttpStatusCode.OK);
            await EventuallyAsync("the new credentials", async () => (await Execute(adminB, id)).Status == HttpStatusCode.OK);
        }
        finally
        {
            if (database is not null) await TargetDatabases.ExecPostgresAsync("postgres", $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await TargetDatabases.ExecPostgresAsync("postgres", $"DROP ROLE IF EXISTS {role}");
        }
    }

    [Fact]
    public async Task A_deactivated_user_a_revoked_key_and_a_logged_out_session_are_refused_by_both_instances()
    {
        var (s, _) = await SetupAsync();
        var (userA, userId) = await Seeded.UserAsync(s.Admin);
        var userB = _b.Api(userA.Session);
        (await userB.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await s.Admin.Delete($"/api/user/{userId}")).Expect(HttpStatusCode.NoContent);
        (await userA.Get("/api/user/current")).Expect(HttpStatusCode.Unauthorized);
        await EventuallyAsync("the deactivated user", async () => (await userB.Get("/api/user/current")).Status == HttpStatusCode.Unauthorized);

        var group = await Seeded.GroupAsync(s.Admin);
        var key = await Seeded.ApiKeyAsync(s.Admin, group);
        var keyA = _a.Api().WithApiKey(key["unmasked_key"]!.GetValue<string>());
        var keyB = _b.Api().WithApiKey(key["unmasked_key"]!.GetValue<string>());
        (await keyB.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await s.Admin.Delete($"/api/api-key/{key["id"]}")).Expect(HttpStatusCode.NoContent);
        (await keyA.Get("/api/user/current")).Expect(HttpStatusCode.Unauthorized);
        await EventuallyAsync("the revoked API key", async () => (await keyB.Get("/api/user/current")).Status == HttpStatusCode.Unauthorized);

        var (otherA, _) = await Seeded.UserAsync(s.Admin);
        var otherB = _b.Api(otherA.Session);
        (await otherB.Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await otherA.Delete("/api/session")).Expect(HttpStatusCode.NoContent);
        (await otherA.Get("/api/user/current")).Expect(HttpStatusCode.Unauthorized);
        await EventuallyAsync("the logged-out session", async () => (await otherB.Get("/api/user/current")).Status == HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_password_reset_refuses_the_old_password_and_ends_the_users_other_sessions_on_both_instances()
    {
        var (s, _) = await SetupAsync();
        var email = $"reset-{Guid.NewGuid():N}@example.com";
        var (userA, userId) = await Seeded.UserAsync(s.Admin, email);
        var userB = _b.Api(userA.Session);
        (await userB.Get("/api/user/current")).Expect(HttpStatusCode.OK);

        // A superuser resets it: every session of the user ends.
        (await s.Admin.Put($"/api/user/{userId}/password", new { password = "N3w-passw0rd!" })).Expect(HttpStatusCode.NoContent);
        (await userA.Get("/api/user/current")).Expect(HttpStatusCode.Unauthorized);
        (await _b.Api().Post("/api/session", new { username = email, password = Seeded.UserPassword })).Expect(HttpStatusCode.Unauthorized);
        await EventuallyAsync("the ended session", async () => (await userB.Get("/api/user/current")).Status == HttpStatusCode.Unauthorized);

        // The user changes it themself: the session that asked stays, the others end.
        var own = (await _a.Api().Post("/api/session", new { username = email, password = "N3w-passw0rd!" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var other = (await _b.Api().Post("/api/session", new { username = email, password = "N3w-passw0rd!" })).Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        (await _b.Api(own).Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await _b.Api(other).Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await _a.Api(own).Put($"/api/user/{userId}/password", new { password = "Th1rd-passw0rd!" })).Expect(HttpStatusCode.NoContent);
        (await _a.Api(other).Get("/api/user/current")).Expect(HttpStatusCode.Unauthorized);
        (await _a.Api(own).Get("/api/user/current")).Expect(HttpStatusCode.OK);
        (await _b.Api().Post("/api/session", new { username = email, password = "N3w-passw0rd!" })).Expect(HttpStatusCode.Unauthorized);
        await EventuallyAsync("the other session ended", async () => (await _b.Api(other).Get("/api/user/current")).Status == HttpStatusCode.Unauthorized);
        (await _b.Api(own).Get("/api/user/current")).Expect(HttpStatusCode.OK);
    }

    /// <summary>A browser signed in on <paramref name="app"/>, and its sign-in cookie (read by every instance).</summary>
    private static async Task<(HttpClient Browser, string Cookie)> BrowserSignInAsync(AppFactory app, string email, string password)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var signedIn = await Pages.AccountPagesTests.PostFormAsync(browser, "/account/login", "login",
            new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("actions.auth=", StringComparison.Ordinal));
        return (browser, cookie);
    }

    /// <summary>Whether a page of the app opens with the cookie (else the browser is sent to sign in).</summary>
    private static async Task<bool> OpensAsync(AppFactory app, string cookie)
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/actions");
        request.Headers.Add("Cookie", cookie);
        using var response = await browser.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"GET /actions answered {(int)response.StatusCode}");
        return response.StatusCode == HttpStatusCode.OK;
    }

    [Fact]
    public async Task A_browser_sign_in_ends_with_a_password_reset_or_its_sign_out_on_both_instances()
    {
        var (s, _) = await SetupAsync();
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var (_, userId) = await Seeded.UserAsync(s.Admin, email);
        var (_, cookie) = await BrowserSignInAsync(_b, email, Seeded.UserPassword);
        Assert.True(await OpensAsync(_b, cookie));
        Assert.True(await OpensAsync(_a, cookie));

        (await s.Admin.Put($"/api/user/{userId}/password", new { password = "N3w-passw0rd!" })).Expect(HttpStatusCode.NoContent);
        Assert.False(await OpensAsync(_a, cookie));
        await EventuallyAsync("the browser session ended by the reset", async () => !await OpensAsync(_b, cookie));

        // Signing out in the browser ends the session: a copy of the cookie is refused everywhere.
        var (browser, copy) = await BrowserSignInAsync(_b, email, "N3w-passw0rd!");
        Assert.True(await OpensAsync(_a, copy));
        Assert.Equal(HttpStatusCode.Redirect, (await Pages.AccountPagesTests.PostFormAsync(browser, "/account/logout", "logout", new())).StatusCode);
        Assert.False(await OpensAsync(_b, copy));
        await EventuallyAsync("the signed-out browser session", async () => !await OpensAsync(_a, copy));
    }

    /// <summary>The fallback: a version bumped straight in the store, with no notification, is found by the poll.</summary>
    [Fact]
    public async Task A_bump_without_a_notification_is_found_by_the_poll()
    {
        var (s, adminB) = await SetupAsync();
        Assert.Equal("\"Actions\"", (await s.Admin.Get("/api/setting/site-name")).Body);
        Assert.Equal("\"Actions\"", (await adminB.Get("/api/setting/site-name")).Body);
        using (var store = _a.OpenStore())
        {
            using var command = store.CreateCommand();
            command.CommandText = """
                INSERT INTO "Settings" ("Key", "Value") VALUES ('site-name', '"Written by hand"');
                UPDATE "StoreVersions" SET "Version" = "Version" + 1 WHERE "Id" = 1;
                """;
            command.ExecuteNonQuery();
        }
        await EventuallyAsync("the bump on A", async () => (await s.Admin.Get("/api/setting/site-name")).Body == "\"Written by hand\"");
        await EventuallyAsync("the bump on B", async () => (await adminB.Get("/api/setting/site-name")).Body == "\"Written by hand\"");
    }

    /// <summary>The listening connection is opened again after it dropped, and changes are heard again.</summary>
    [Fact]
    public async Task The_listener_reconnects_after_its_connection_is_killed()
    {
        var (s, adminB) = await SetupAsync();
        Assert.Equal("\"Actions\"", (await adminB.Get("/api/setting/site-name")).Body);
        string storeDatabase;
        using (var store = _a.OpenStore()) storeDatabase = store.Database;
        const string Listeners = "FROM pg_stat_activity WHERE application_name = 'actions-store-version' AND datname = @db";
        async Task<long> ListenersAsync(string sql)
        {
            await using var admin = new NpgsqlConnection(TargetDatabases.PostgresAdmin().ConnectionString);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand(sql, admin);
            command.Parameters.AddWithValue("db", storeDatabase);
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        }
        await EventuallyAsync("both listeners connected", async () => await ListenersAsync($"SELECT count(*) {Listeners}") == 2);
        Assert.Equal(2, await ListenersAsync($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) {Listeners}) AS killed"));

        (await s.Admin.Put("/api/setting/site-name", new { value = "After the drop" })).Expect(HttpStatusCode.NoContent);
        await EventuallyAsync("the change after the drop", async () => (await adminB.Get("/api/setting/site-name")).Body == "\"After the drop\"");
        await EventuallyAsync("both listeners back", async () => await ListenersAsync($"SELECT count(*) {Listeners}") == 2);
    }
}
