using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Security;
using Actions.Data.Store;
using Microsoft.Extensions.Options;

namespace Actions.Data.Execution;

/// <summary>
/// The two public-link limits: executions per link per second (sliding one-second window) and public requests
/// per client IP per minute over all links. Checked before anything else, even for unknown links; counted in the
/// store, so they hold over every instance together.
/// </summary>
public sealed class PublicLinkThrottle(IOptions<ActionsOptions> options, ThrottleStore store, TimeProvider time)
{
    private readonly SlidingWindowThrottle _perLink = new(store, "link", options.Value.PublicSharing.PerLinkPerSecond, TimeSpan.FromSeconds(1), time);
    private readonly SlidingWindowThrottle _perClient = new(store, "client", options.Value.PublicSharing.PerClientPerMinute, TimeSpan.FromMinutes(1), time);

    /// <summary>Counts a public request from the client (GET, prefetch or execute); 429 past the limit.</summary>
    public async Task CountRequestAsync(string clientIp, CancellationToken ct)
    {
        var wait = await _perClient.TryAcquireAsync(clientIp, ct);
        if (wait > 0) throw PlainError.TooManyAttempts(wait);
    }

    /// <summary>Counts an execution of the link; 429 past the limit.</summary>
    public async Task CountExecutionAsync(Guid link, CancellationToken ct)
    {
        var wait = await _perLink.TryAcquireAsync(link.ToString("D"), ct);
        if (wait > 0) throw PlainError.TooManyAttempts(wait);
    }
}
