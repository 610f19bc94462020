using System.Net;
using System.Net.Sockets;

namespace Actions.Data.Execution.Http;

/// <summary>Resolves host names; replaced in tests by a substitute resolver.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Classifies addresses an HTTP action may not reach unless private networks are allowed: loopback, private,
/// link-local (and so cloud metadata), CGNAT, unique-local, multicast and unspecified/broadcast addresses,
/// also when written as IPv4-mapped or IPv4-compatible IPv6 addresses.
/// </summary>
public static class AddressClassifier
{
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsForbiddenV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return true;
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return true;
        if ((b[0] & 0xFE) == 0xFC) return true; // fc00::/7 unique local (includes fd00:ec2::254 metadata)
        // IPv4-compatible (::a.b.c.d) and NAT64/6to4 forms that embed an IPv4 address.
        if (b.Take(12).All(x => x == 0)) return IsForbiddenV4(b[12..]);
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return IsForbiddenV4(b[12..]); // 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x02) return IsForbiddenV4(b[2..6]); // 2002::/16 (6to4)
        return false;
    }

    private static bool IsForbiddenV4(byte[] b) =>
        b[0] == 0 // 0.0.0.0/8
        || b[0] == 10 // 10/8
        || b[0] == 127 // loopback
        || (b[0] == 100 && (b[1] & 0xC0) == 64) // 100.64/10 CGNAT
        || (b[0] == 169 && b[1] == 254) // link-local and 169.254.169.254 metadata
        || (b[0] == 172 && (b[1] & 0xF0) == 16) // 172.16/12
        || (b[0] == 192 && b[1] == 168) // 192.168/16
        || (b[0] == 192 && b[1] == 0 && b[2] == 0) // 192.0.0/24 IETF protocol assignments
        || (b[0] == 198 && (b[1] & 0xFE) == 18) // 198.18/15 benchmarking
        || b[0] >= 224; // multicast, reserved and broadcast
}

/// <summary>The destination is refused by the private-network guard.</summary>
public sealed class DestinationNotAllowedException(string host) : Exception($"destination not allowed: {host}")
{
    public string Host { get; } = host;
}
