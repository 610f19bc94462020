using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Actions.Tests.Hostile;

/// <summary>
/// The real app in a child process on a loopback port (Production environment, as deployed), so that a request
/// that kills the process (a stack overflow cannot be caught) is seen as a process exit instead of taking the
/// test run down with it. A dead process is recorded and started again on the same data directory, so the run
/// goes on and reports every request that killed it.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly Queue<string> _outputTail = new();
    private readonly object _outputLock = new();
    private Process? _process;
    private readonly StringBuilder _crash = new();
    private int _crashLinesLeft;

    public HostileServer(IDictionary<string, string> settings)
    {
        DataDir = Path.Combine(Path.GetTempPath(), "actions-hostile", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDir);
        _settings = new Dictionary<string, string>(settings)
        {
            ["Actions:DataDir"] = DataDir,
            ["Actions:SampleData"] = "false",
        };
    }

    public string DataDir { get; }
    public int Port { get; private set; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public HttpClient Http { get; private set; } = null!;

    /// <summary>How often the process was found dead (and started again), with its exit code and last output lines.</summary>
    public List<string> Exits { get; } = [];

    /// <summary>Every line the process wrote, counted for the secret check.</summary>
    public StringBuilder AllOutput { get; } = new();

    public bool IsAlive => _process is { HasExited: false };

    public async Task StartAsync()
    {
        Port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Actions.Web.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{Port}");
        foreach (var (key, value) in _settings) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        Http?.Dispose();
        Http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // Lets the suite send non-ASCII header values as raw UTF-8 bytes, as a hostile client would.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        {
            BaseAddress = new Uri(BaseUrl),
            Timeout = TimeSpan.FromSeconds(90),
        };

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"The app exited at start ({process.ExitCode}):\n{OutputTail()}");
            if (await HealthAsync() == HttpStatusCode.OK) return;
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"The app did not answer /api/health within 120 s:\n{OutputTail()}");
    }

    /// <summary>GET /api/health; null when nothing answers.</summary>
    public async Task<HttpStatusCode?> HealthAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/api/health");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// When the process has died (or is dying: a stack overflow takes seconds to write its trace): records how,
    /// and starts it again. Returns whether it had died.
    /// </summary>
    public async Task<bool> RecoverIfDeadAsync(string afterWhat)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_process is { HasExited: false } && DateTime.UtcNow < deadline && await HealthAsync() != HttpStatusCode.OK)
            await Task.Delay(200);
        if (_process is null || !_process.HasExited) return false;
        _process.WaitForExit();
        string crash;
        lock (_outputLock)
        {
            crash = _crash.Length > 0 ? _crash.ToString() : OutputTail(12);
            _crash.Clear();
        }
        Exits.Add($"process exited with code {_process.ExitCode} after {afterWhat}; its last words:\n{crash}");
        _process.Dispose();
        _process = null;
        await StartAsync();
        return true;
    }

    /// <summary>Kills the process at once (SIGKILL: nothing is flushed, no shutdown code runs) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public string OutputTail(int lines = 40)
    {
        lock (_outputLock) return string.Join("\n", _outputTail.TakeLast(lines));
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_outputLock)
        {
            // The first lines of a crash name it (and, for a stack overflow, the frames that recurse).
            if (line.StartsWith("Stack overflow", StringComparison.Ordinal) || line.StartsWith("Unhandled exception", StringComparison.Ordinal))
            {
                _crash.Clear();
                _crashLinesLeft = 20;
            }
            if (_crashLinesLeft > 0)
            {
                _crashLinesLeft--;
                _crash.AppendLine(line);
            }
            _outputTail.Enqueue(line);
            while (_outputTail.Count > 200) _outputTail.Dequeue();
            AllOutput.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Sends raw bytes on a new TCP connection (for framing an HTTP client will not produce), half-closes when
    /// <paramref name="endStream"/>, and returns the status code of the first answer, or null when the server
    /// closes without one.
    /// </summary>
    public async Task<(int? Status, string Text)> SendRawAsync(byte[] request, bool endStream)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var reader = new MemoryStream();
        var buffer = new byte[16 * 1024];
        // A request still waiting for more body gets the end of the stream; a complete (if malformed) one does not,
        // so that the server reads the malformed framing rather than a closed connection.
        if (endStream) client.Client.Shutdown(SocketShutdown.Send);
        if (!await ReadAsync(TimeSpan.FromSeconds(30)) && !endStream)
        {
            client.Client.Shutdown(SocketShutdown.Send);
            await ReadAsync(TimeSpan.FromSeconds(30));
        }

        async Task<bool> ReadAsync(TimeSpan wait)
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0) reader.Write(buffer, 0, read);
                return true;
            }
            catch (OperationCanceledException)
            {
                return reader.Length > 0;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // A reset: whatever arrived is the answer.
                return true;
            }
        }
        var text = Encoding.UTF8.GetString(reader.ToArray());
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12) return (null, text);
        return (int.TryParse(text.AsSpan(9, 3), out var status) ? status : null, text);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaning.
        }
    }
}
