using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AzFuse.Testing;

/// <summary>
/// A real Azurite blob service on a free loopback port with its own data folder, started from
/// the repository's node_modules and stopped (by its process id) when disposed. Telemetry is
/// off (<c>--disableTelemetry</c>): without it Azurite sends usage data off the machine.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _dataFolder;
    private static readonly HttpClient s_http = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _requests = new();
    private Process? _process;

    private AzuriteServer(int port, string dataFolder)
    {
        Port = port;
        _dataFolder = dataFolder;
    }

    public int Port { get; }

    /// <summary>The account's blob endpoint, path-style: <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// The requests the emulator served to <paramref name="container"/> so far, as "METHOD /path?query"
    /// from its access log, so that a test can tell how the library talked to the service.
    /// </summary>
    /// <remarks>
    /// Azurite writes its access log asynchronously, so a request just answered may not be in it
    /// yet: this first sends a marker request and waits until the marker shows up (the log is in
    /// order), then returns what came before it.
    /// </remarks>
    public async Task<IReadOnlyList<string>> RequestsToAsync(string container)
    {
        var marker = $"azfuse-log-marker-{Guid.NewGuid():N}";
        using (var request = new HttpRequestMessage(HttpMethod.Head, $"{Endpoint.AbsoluteUri.TrimEnd('/')}/{container}/{marker}"))
        {
            using var response = await s_http.SendAsync(request); // unauthenticated: a 403, logged like any request
        }

        for (var waited = 0; waited < 200 && !_requests.Any(line => line.Contains(marker, StringComparison.Ordinal)); waited++)
        {
            await Task.Delay(50);
        }

        return RequestsTo(container)
            .TakeWhile(r => !r.Contains(marker, StringComparison.Ordinal))
            .Where(r => !r.Contains("azfuse-log-marker-", StringComparison.Ordinal)) // earlier calls' markers
            .ToList();
    }

    private IReadOnlyList<string> RequestsTo(string container)
    {
        var prefix = $" /{AccountName}/{container}";
        return _requests
            .Select(line => line[(line.IndexOf('"', StringComparison.Ordinal) + 1)..])
            .Where(request => request.AsSpan(request.IndexOf(' ', StringComparison.Ordinal)).StartsWith(prefix, StringComparison.Ordinal))
            .Select(request => request[..request.LastIndexOf(" HTTP/", StringComparison.Ordinal)])
            .ToList();
    }

    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
        var server = new AzuriteServer(FreePort(), dataFolder);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>
    /// Stops the emulator so that a test can see the service go away. It is asked to stop first
    /// (SIGTERM), so that it saves its metadata and a restart finds the same containers and blobs;
    /// killed outright, Azurite loses what it had not saved yet.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (SendSigterm(_process.Id) == 0)
        {
            using var graceful = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(graceful.Token);
            }
            catch (OperationCanceledException)
            {
                // Did not stop when asked: kill it below.
            }
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the emulator again on the same port with the same data.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => StartProcessAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(RepositoryTools.AzuriteBlob)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _dataFolder, "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Azurite did not start.");
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            // Azurite's access log: '127.0.0.1 - - [date] "HEAD /devstoreaccount1/container/blob HTTP/1.1" 200 -'.
            if (e.Data is { } line && line.Contains("\" ", StringComparison.Ordinal) && line.Contains(" HTTP/", StringComparison.Ordinal))
            {
                _requests.Enqueue(line);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready when the port accepts connections; Azurite takes about a second.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting on port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        await StopAsync();
        throw new TimeoutException($"Azurite did not listen on port {Port} within 30 s.");
    }

    private static int SendSigterm(int pid) => Kill(pid, 15);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
