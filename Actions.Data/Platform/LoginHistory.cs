using System.Text.RegularExpressions;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>Where a sign-in came from: the client's address (after trusted forwarded headers) and its User-Agent.</summary>
public sealed record SignInClient(string IpAddress, string? UserAgent)
{
    public const int MaxIpAddressLength = 64;
    public const int MaxUserAgentLength = 512;

    public string StoredIpAddress => IpAddress.Length <= MaxIpAddressLength ? IpAddress : IpAddress[..MaxIpAddressLength];

    public string? StoredUserAgent => string.IsNullOrWhiteSpace(UserAgent) ? null
        : UserAgent.Length <= MaxUserAgentLength ? UserAgent : UserAgent[..MaxUserAgentLength];
}

/// <summary>One sign-in of <c>GET /api/login-history/current</c>.</summary>
public sealed record LoginHistoryEntry(DateTime Timestamp, string? IpAddress, string DeviceDescription, bool Active);

/// <summary>The caller's sign-ins, read from their sessions (a session ended by sign-out is gone with its entry).</summary>
public sealed class LoginHistoryService(IDbContextFactory<AppDbContext> contexts, TimeProvider time)
{
    /// <summary>Newest first; <c>active</c> while the session has not expired. An API key's user has no sessions: <c>[]</c>.</summary>
    public async Task<IReadOnlyList<LoginHistoryEntry>> CurrentAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.UserId == caller.UserId)
            .Select(s => new { s.CreatedAt, s.LastUsedAt, s.IpAddress, s.UserAgent }).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        return sessions.OrderByDescending(s => s.CreatedAt)
            .Select(s => new LoginHistoryEntry(s.CreatedAt, s.IpAddress, UserAgentDescription.Of(s.UserAgent),
                now - s.LastUsedAt <= AccountService.SessionLifetime))
            .ToList();
    }
}

/// <summary>
/// A User-Agent in Metabase's words: <c>Browser (Chrome/Windows)</c>, <c>Mobile Browser (Mobile Safari/iOS)</c>,
/// <c>Library (curl)</c>, <c>Unknown device</c>.
/// </summary>
public static partial class UserAgentDescription
{
    public const string Unknown = "Unknown device";

    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent)) return Unknown;
        if (!userAgent.StartsWith("Mozilla/", StringComparison.Ordinal) && !userAgent.StartsWith("Opera", StringComparison.Ordinal))
        {
            var product = LibraryProduct().Match(userAgent);
            return product.Success ? $"Library ({product.Groups[1].Value})" : Unknown;
        }
        var mobile = userAgent.Contains("Mobile", StringComparison.Ordinal) || userAgent.Contains("iPhone", StringComparison.Ordinal)
                     || userAgent.Contains("Android", StringComparison.Ordinal);
        var os = OperatingSystem(userAgent);
        var browser = Browser(userAgent, mobile);
        return $"{(mobile ? "Mobile Browser" : "Browser")} ({browser}/{os})";
    }

    private static string OperatingSystem(string ua) =>
        ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) ? "iOS"
        : ua.Contains("Android", StringComparison.Ordinal) ? "Android"
        : ua.Contains("Windows", StringComparison.Ordinal) ? "Windows"
        : ua.Contains("Mac OS X", StringComparison.Ordinal) ? "Mac OS X"
        : ua.Contains("CrOS", StringComparison.Ordinal) ? "Chrome OS"
        : ua.Contains("Linux", StringComparison.Ordinal) ? "Linux"
        : "Other";

    private static string Browser(string ua, bool mobile) =>
        ua.Contains("Edg/", StringComparison.Ordinal) || ua.Contains("Edge/", StringComparison.Ordinal) ? "Edge"
        : ua.Contains("OPR/", StringComparison.Ordinal) || ua.StartsWith("Opera", StringComparison.Ordinal) ? "Opera"
        : ua.Contains("Firefox/", StringComparison.Ordinal) ? mobile ? "Firefox Mobile" : "Firefox"
        : ua.Contains("Chrome/", StringComparison.Ordinal) || ua.Contains("CriOS/", StringComparison.Ordinal) ? mobile ? "Chrome Mobile" : "Chrome"
        : ua.Contains("Safari/", StringComparison.Ordinal) ? mobile ? "Mobile Safari" : "Safari"
        : "Other";

    /// <summary>The first product token of a library's User-Agent (<c>curl/8.5.0</c> → <c>curl</c>).</summary>
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9._-]*)")]
    private static partial Regex LibraryProduct();
}
