using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Actions.Data.Secrets;

/// <summary>
/// A secret's <c>allowed_hosts</c>: host names (<c>api.example.com</c>), <c>*.</c> + a domain for every name below it
/// at any depth (not the domain itself), or IP literals (IPv6 with or without brackets). Names compare without
/// regard to case; addresses compare as addresses.
/// </summary>
public static partial class SecretHosts
{
    public const int MaxEntries = 100;
    public const string WildcardPrefix = "*.";

    /// <summary>Whether <paramref name="entry"/> is a host name, a wildcard domain or an IP literal.</summary>
    public static bool IsValid(string entry) =>
        entry.StartsWith(WildcardPrefix, StringComparison.Ordinal) ? IsHostName(entry[WildcardPrefix.Length..]) : IsHostName(entry) || ParseAddress(entry) is not null;

    /// <summary>Whether a request to <paramref name="url"/> may carry a secret with these hosts.</summary>
    public static bool Allows(IEnumerable<string> allowed, Uri url)
    {
        // The host the request connects to: IdnHost is what the HTTP handler resolves.
        var host = url.IdnHost;
        var address = ParseAddress(host);
        var name = host.EndsWith('.') ? host[..^1] : host;
        foreach (var entry in allowed)
        {
            if (address is not null)
            {
                if (ParseAddress(entry) is { } allowedAddress && allowedAddress.Equals(address)) return true;
            }
            else if (entry.StartsWith(WildcardPrefix, StringComparison.Ordinal))
            {
                if (name.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase) && name.Length > entry.Length - 1) return true;
            }
            else if (name.Equals(entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// LDH labels of at most 63 characters, at most 253 in all, not ending in an all-digit label (which URL parsers
    /// read as an IPv4 address).
    /// </summary>
    private static bool IsHostName(string text) =>
        text.Length is > 0 and <= 253 && HostNamePattern().IsMatch(text) && !text[(text.LastIndexOf('.') + 1)..].All(char.IsAsciiDigit);

    /// <summary>A dotted-quad IPv4 or an IPv6 literal (brackets optional, no zone); null for anything else.</summary>
    private static IPAddress? ParseAddress(string text)
    {
        var bracketed = text.StartsWith('[') && text.EndsWith(']');
        if (bracketed) text = text[1..^1];
        if (text.Contains('[') || text.Contains(']') || text.Contains('%') || !IPAddress.TryParse(text, out var address)) return null;
        return address.AddressFamily switch
        {
            // IPAddress also reads "1.2.3", "0x7f.1" and "127.1": only the dotted-quad form is taken, never in brackets.
            AddressFamily.InterNetwork when !bracketed && DottedQuadPattern().IsMatch(text) => address,
            AddressFamily.InterNetworkV6 when text.Contains(':') => address,
            _ => null,
        };
    }

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}\z")]
    private static partial Regex DottedQuadPattern();
}
