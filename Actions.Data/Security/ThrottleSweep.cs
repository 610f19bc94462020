using Actions.Data.Hosting;
using Actions.Data.Store;
using Microsoft.Extensions.Logging;

namespace Actions.Data.Security;

/// <summary>
/// Drops throttle events past the longest window, every ten minutes. A key in use loses its expired events each time
/// it is counted; this sweeps those of keys no longer counted (a client gone, a link not run again), so the table holds
/// about one window of traffic, not every client ever seen.
/// </summary>
public sealed class ThrottleSweep(ThrottleStore store, StoreLocks locks, TimeProvider time, ILogger<ThrottleSweep> logger)
    : StoreJob(locks, StoreLocks.ThrottleSweep, time, logger)
{
    protected override TimeSpan FirstRound => TimeSpan.FromMinutes(1);
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);
    protected override string Doing => "Sweeping old throttle events";

    protected override Task RunAsync(CancellationToken ct) => store.SweepAsync(Time.GetUtcNow().UtcDateTime - ThrottleStore.LongestWindow, ct);
}
