using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actions.Data.Store;

/// <summary>
/// On a PostgreSQL store, how this instance learns of the changes other instances make: one dedicated connection
/// that <c>LISTEN</c>s on <see cref="Channel"/> (every bump notifies it on commit) and, as the fallback for a lost
/// notification, reads the version row at least every <see cref="PollInterval"/>. A dropped connection is opened again.
/// On SQLite (one process) it is not started: the local bump is all there is.
/// </summary>
public sealed class StoreVersionListener(string connectionString, CacheVersion versions, ILogger<StoreVersionListener> logger) : BackgroundService
{
    public const string Channel = "actions_store_version";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken, () =>
                {
                    if (failing) logger.LogInformation("Listening for store changes again");
                    failing = false;
                });
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing) logger.LogWarning("Lost the store connection that tells of other instances' changes ({Reason}); reconnecting", e.GetType().Name);
                failing = true;
                try
                {
                    await Task.Delay(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception)
            {
                return; // stopping
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct, Action connected)
    {
        // A connection of its own, out of the pool: a LISTEN belongs to one session, and a pooled connection's reset
        // would end it. Short timeouts, so that a store gone silent is noticed and the connection made again.
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false, Timeout = 5, CommandTimeout = 5, KeepAlive = 5, ApplicationName = "actions-store-version",
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Notification += (_, e) =>
        {
            if (long.TryParse(e.Payload, out var version)) versions.Observe(version);
        };
        await connection.OpenAsync(ct);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
        await using var read = new NpgsqlCommand("""SELECT "Version" FROM "StoreVersions" WHERE "Id" = 1""", connection);
        connected();
        while (true)
        {
            // Read after LISTEN, so that no change falls between the two; a read starts every PollInterval at most.
            var started = Stopwatch.GetTimestamp();
            if (await read.ExecuteScalarAsync(ct) is long version) versions.Observe(version);
            var left = PollInterval - Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero) await connection.WaitAsync(left, ct);
        }
    }
}
