using System.Net;
using System.Text.RegularExpressions;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Cluster;

/// <summary>
/// deployment.md "What holds with several instances", through the cluster deploy/cluster.sh starts: two instances on one
/// PostgreSQL store behind HAProxy, requests sent through the balancer and straight to each instance.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class ClusterTests(ClusterFixture fixture)
{
    private LoopbackCluster Cluster => fixture.Cluster;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Instances_started_together_on_an_empty_store_are_healthy_with_one_admin_and_one_sample_database()
    {
        foreach (var url in Cluster.Instances.Select(i => i.Url).Append(Cluster.LoadBalancer))
        {
            var health = (await LoopbackCluster.Api(url).Get("/api/health")).Expect(HttpStatusCode.OK).Json;
            Assert.Equal("ok", health["status"]!.GetValue<string>());
            var admin = await LoopbackCluster.AdminAsync(url);
            var users = (await admin.Get("/api/user")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray();
            Assert.Equal(LoopbackCluster.AdminEmail, Assert.Single(users)!["email"]!.GetValue<string>());
            var databases = (await admin.Get("/api/database")).Expect(HttpStatusCode.OK).Json["data"]!.AsArray();
            Assert.Single(databases, d => d!["name"]!.GetValue<string>() == "Sample Database");
        }
    }

    [Fact]
    public async Task Requests_through_the_load_balancer_are_spread_over_both_instances()
    {
        var admin = await LoopbackCluster.AdminAsync(Cluster.LoadBalancer);
        var servedBy = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            var answer = (await admin.Get("/api/user/current")).Expect(HttpStatusCode.OK);
            servedBy.Add(StickyInstance(answer));
        }
        Assert.Equal(Cluster.Instances.Select(i => i.Name).Order(), servedBy.Order());
    }

    [Fact]
    public async Task Runs_sent_through_the_balancer_and_to_each_instance_are_all_answered_and_logged_once()
    {
        var admin = await LoopbackCluster.AdminAsync(Cluster.LoadBalancer);
        var target = await RunsTarget.CreateAsync(admin);
        var clients = Cluster.Instances.Select(i => LoopbackCluster.Api(i.Url, admin.Session)).Append(admin).ToArray();
        for (var n = 0; n < 30; n++)
            (await clients[n % clients.Length].Post(target.Execute, RunsTarget.Run(n))).Expect(HttpStatusCode.OK);

        foreach (var instance in Cluster.Instances)
        {
            var reader = LoopbackCluster.Api(instance.Url, admin.Session);
            HashSet<int> logged = [];
            await Eventually(async () => (logged = await target.LoggedAsync(reader)).Count >= 30);
            Assert.Equal(Enumerable.Range(0, 30), logged.Order());
        }
        Assert.Equal("30", await ScalarAsync(target.Database, "SELECT count(DISTINCT n) FROM runs"));
    }

    [Fact]
    public async Task A_session_made_on_one_instance_works_on_the_other()
    {
        var (a, b) = (Cluster.Instances[0], Cluster.Instances[1]);
        var token = (await LoopbackCluster.Api(a.Url).Post("/api/session", new { username = LoopbackCluster.AdminEmail, password = LoopbackCluster.AdminPassword }))
            .Expect(HttpStatusCode.OK).Json["id"]!.GetValue<string>();
        var me = (await LoopbackCluster.Api(b.Url, token).Get("/api/user/current")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(LoopbackCluster.AdminEmail, me["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_browser_sign_in_form_from_one_instance_is_accepted_by_the_other_and_its_cookie_read_by_the_first()
    {
        var (a, b) = (Cluster.Instances[0], Cluster.Instances[1]);
        // Cookies belong to a host, not a port: as in a browser, what one instance sets is sent to the other.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false });

        var anonymous = await browser.GetAsync(new Uri(a.Url + "/actions"));
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Contains("/account/login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);

        var form = await browser.GetStringAsync(new Uri(a.Url + "/account/login"));
        var antiforgery = AntiforgeryToken().Match(form);
        Assert.True(antiforgery.Success, form);
        using var signIn = await browser.PostAsync(new Uri(b.Url + "/account/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery.Groups[1].Value),
            ["Input.Email"] = LoopbackCluster.AdminEmail,
            ["Input.Password"] = LoopbackCluster.AdminPassword,
        }));
        Assert.True(signIn.StatusCode == HttpStatusCode.Found, $"{(int)signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}");
        Assert.Contains(cookies.GetCookies(new Uri(b.Url)), c => c.Name == "actions.auth");

        var page = await browser.GetAsync(new Uri(a.Url + "/actions"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task A_database_password_encrypted_by_one_instance_is_used_by_the_other()
    {
        var (a, b) = (Cluster.Instances[0], Cluster.Instances[1]);
        var viaA = await LoopbackCluster.AdminAsync(a.Url);
        var target = await RunsTarget.CreateAsync(viaA);
        await TargetDatabases.ExecPostgresAsync(target.Database, "CREATE TABLE added_later (id integer PRIMARY KEY)");
        // B connects with the password A stored encrypted: the sync reads the new table only if B could decrypt it.
        var viaB = LoopbackCluster.Api(b.Url, viaA.Session);
        (await viaB.Post($"/api/database/{target.DatabaseId}/sync_schema")).Expect(HttpStatusCode.OK);
        var tables = (await viaB.Get($"/api/database/{target.DatabaseId}/metadata")).Expect(HttpStatusCode.OK).Json["tables"]!.AsArray();
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "added_later");
    }

    /// <summary>The instance HAProxy sent a cookie-less request to: it names it in the sticky cookie it sets.</summary>
    internal static string StickyInstance(ApiClient.Response answer)
    {
        var cookie = answer.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith("ACTIONS_INSTANCE=", StringComparison.Ordinal)) : null;
        Assert.True(cookie is not null, "HAProxy set no ACTIONS_INSTANCE cookie");
        return cookie["ACTIONS_INSTANCE=".Length..].Split(';')[0];
    }

    /// <summary>Polls until the condition holds, failing after a generous deadline (never a timing assertion).</summary>
    internal static async Task Eventually(Func<Task<bool>> condition, string what = "the condition")
    {
        var until = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Not so within {Deadline.TotalSeconds} s: {what}");
            await Task.Delay(200);
        }
    }

    internal static async Task<string> ScalarAsync(string database, string sql)
    {
        var builder = TargetDatabases.PostgresAdmin();
        builder.Database = database;
        builder.Pooling = false;
        await using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
