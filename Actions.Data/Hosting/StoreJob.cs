using Actions.Data.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actions.Data.Hosting;

/// <summary>
/// Background work on the store that one instance at a time does, in rounds: the first after <see cref="FirstRound"/>,
/// then one every <see cref="Interval"/>. Each round takes the job's lock without waiting (<see cref="StoreLocks"/>);
/// when another instance holds it, that instance is doing the work and this round is skipped. An instance that dies
/// mid-round releases the lock with its connection, so another does the next round.
/// </summary>
public abstract class StoreJob(StoreLocks locks, long lockKey, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;
    protected ILogger Logger { get; } = logger;

    protected abstract TimeSpan FirstRound { get; }
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the job is, for the log ("pruning the execution log").</summary>
    protected abstract string Doing { get; }

    /// <summary>Whether the job has anything to do in this configuration; when not, no round ever runs.</summary>
    protected virtual bool Enabled => true;

    /// <summary>The job's work, done while holding its lock.</summary>
    protected abstract Task RunAsync(CancellationToken ct);

    /// <summary>One round: does the work unless another instance is doing it; returns whether this instance did.</summary>
    public async Task<bool> RunRoundAsync(CancellationToken ct)
    {
        await using var held = await locks.TryTakeAsync(lockKey, ct);
        if (held is null) return false;
        await RunAsync(ct);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        try
        {
            await Task.Delay(FirstRound, Time, stoppingToken);
            while (true)
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Logger.LogWarning(e, "{Doing} failed; trying again in {Interval}", Doing, Interval);
                }
                await Task.Delay(Interval, Time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
