using System.Collections.Concurrent;
using System.Net;

namespace Actions.Tests.Cluster;

/// <summary>
/// deployment.md point 3 through the real cluster: an execute answer is sent only once its log entry is committed to
/// the store, so any instance's log shows it at once, and killing an instance loses no entry of an answered run.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterLogTests(ClusterFixture fixture)
{
    private LoopbackCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_run_answered_by_one_instance_is_in_the_other_instances_log_at_once()
    {
        var admin = await LoopbackCluster.AdminAsync(Cluster.LoadBalancer);
        var target = await RunsTarget.CreateAsync(admin);
        for (var n = 0; n < 10; n++)
        {
            var (runner, reader) = (Cluster.Instances[n % 2], Cluster.Instances[(n + 1) % 2]);
            (await LoopbackCluster.Api(runner.Url, admin.Session).Post(target.Execute, RunsTarget.Run(n))).Expect(HttpStatusCode.OK);
            var logged = await target.LoggedAsync(LoopbackCluster.Api(reader.Url, admin.Session));
            Assert.True(logged.Contains(n), $"Run {n} answered by {runner.Name} is not in {reader.Name}'s log: [{string.Join(", ", logged.Order())}]");
        }
    }

    [Fact]
    public async Task An_instance_killed_under_load_loses_no_answered_run_and_the_other_keeps_serving()
    {
        await using var cluster = await LoopbackCluster.StartAsync(settings: new Dictionary<string, string>
        {
            ["Actions__ExecutionLog__StoreParameterValues"] = "true",
        });
        var admin = await LoopbackCluster.AdminAsync(cluster.LoadBalancer);
        var target = await RunsTarget.CreateAsync(admin);

        // Clients without cookies, through the balancer: their runs are spread over both instances.
        const int Clients = 6;
        var answered = new ConcurrentBag<int>();
        var refused = new ConcurrentBag<string>();
        var next = 0;
        var answeredAfterKill = 0;
        var killed = false;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            var client = LoopbackCluster.Api(cluster.LoadBalancer, admin.Session);
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var sentAfterKill = Volatile.Read(ref killed);
                try
                {
                    var answer = await client.Post(target.Execute, RunsTarget.Run(n));
                    if (answer.Status == HttpStatusCode.OK)
                    {
                        answered.Add(n);
                        if (sentAfterKill) Interlocked.Increment(ref answeredAfterKill);
                    }
                    else refused.Add($"{n}: {(int)answer.Status} {answer.Body}");
                }
                catch (HttpRequestException e)
                {
                    refused.Add($"{n}: {e.Message}");
                }
            }
        })).ToArray();

        try
        {
            await ClusterTests.Eventually(() => Task.FromResult(answered.Count >= 100), "100 runs answered before the kill");
            var victim = cluster.Instances[0];
            LoopbackCluster.Kill(victim);
            Volatile.Write(ref killed, true);
            await ClusterTests.Eventually(() => Task.FromResult(Volatile.Read(ref answeredAfterKill) >= 100), "100 runs answered after the kill");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }

        // The survivor keeps serving: every run sent now is answered.
        var survivor = LoopbackCluster.Api(cluster.LoadBalancer, admin.Session);
        for (var i = 0; i < 20; i++)
        {
            var n = Interlocked.Increment(ref next);
            (await survivor.Post(target.Execute, RunsTarget.Run(n))).Expect(HttpStatusCode.OK);
            answered.Add(n);
        }

        var logged = await target.LoggedAsync(LoopbackCluster.Api(cluster.Instances[1].Url, admin.Session));
        var lost = answered.Where(n => !logged.Contains(n)).Order().ToList();
        Assert.True(lost.Count == 0,
            $"{lost.Count} of {answered.Count} answered runs are missing from the log: {string.Join(", ", lost.Take(50))}; refused ({refused.Count}): {string.Join(" | ", refused.Take(10))}");
    }
}
