using System.Net;
using System.Net.Sockets;

namespace Actions.Data.Execution.Http;

/// <summary>
/// The handler of outbound HTTP actions: no automatic redirects (the runner follows at most 5 itself), no proxy,
/// no cookies, and a connect callback that resolves the host itself and refuses private addresses on every
/// connection — so DNS rebinding and redirects to internal addresses are refused too.
/// </summary>
public static class GuardedHandler
{
    public static SocketsHttpHandler Create(bool allowPrivateNetworks, IHostResolver resolver) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivateNetworks, resolver, ct),
    };

    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateNetworks, IHostResolver resolver, CancellationToken ct)
    {
        var host = endPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        if (!allowPrivateNetworks && addresses.Any(AddressClassifier.IsForbidden)) throw new DestinationNotAllowedException(endPoint.Host);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
                if (e is OperationCanceledException) throw;
            }
        }
        throw last!;
    }
}
