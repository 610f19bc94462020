using System.Net;

namespace Actions.Tests.Cluster;

/// <summary>
/// deployment.md point 1 once through the real cluster (the in-process tests cover every kind of change): a change made
/// through one instance takes effect on the other.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterChangeTests(ClusterFixture fixture)
{
    private LoopbackCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_action_archived_through_one_instance_is_refused_by_the_other()
    {
        var (a, b) = (Cluster.Instances[0], Cluster.Instances[1]);
        var viaA = await LoopbackCluster.AdminAsync(a.Url);
        var viaB = LoopbackCluster.Api(b.Url, viaA.Session);
        var target = await RunsTarget.CreateAsync(viaA);
        // B runs it (and so holds it in its caches) before A archives it; the database A just enabled actions on is
        // itself a change B must see.
        var n = 0;
        await ClusterTests.Eventually(async () => (await viaB.Post(target.Execute, RunsTarget.Run(++n))).Status == HttpStatusCode.OK,
            "B runs the action on the database A enabled actions on");
        (await viaA.Put($"/api/action/{target.ActionId}", new { archived = true })).Expect(HttpStatusCode.OK);
        (await viaA.Post(target.Execute, RunsTarget.Run(0))).Expect(HttpStatusCode.NotFound);
        await ClusterTests.Eventually(async () => (await viaB.Post(target.Execute, RunsTarget.Run(0))).Status == HttpStatusCode.NotFound,
            "B refuses the action A archived");
    }
}
