using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Security;
using Microsoft.Extensions.Options;

namespace Actions.Data.Execution;

/// <summary>
/// The two public-link limits: executions per link per second (sliding one-second window) and public requests
/// per client IP per minute over all links. Checked before anything else, even for unknown links.
/// </summary>
public sealed class PublicLinkThrottle(IOptions<ActionsOptions> options, TimeProvider time)
{
    private readonly SlidingWindowThrottle _perLink = new(options.Value.PublicSharing.PerLinkPerSecond, TimeSpan.FromSeconds(1), time);
    private readonly SlidingWindowThrottle _perClient = new(options.Value.PublicSharing.PerClientPerMinute, TimeSpan.FromMinutes(1), time);

    /// <summary>Counts a public request from the client (GET, prefetch or execute); 429 past the limit.</summary>
    public void CountRequest(string clientIp)
    {
        var wait = _perClient.TryAcquire(clientIp);
        if (wait > 0) throw PlainError.TooManyAttempts(wait);
    }

    /// <summary>Counts an execution of the link; 429 past the limit.</summary>
    public void CountExecution(Guid link)
    {
        var wait = _perLink.TryAcquire(link.ToString("D"));
        if (wait > 0) throw PlainError.TooManyAttempts(wait);
    }
}
