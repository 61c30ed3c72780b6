using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace AzFuse.Testing;

/// <summary>
/// A real Azurite blob service on a free loopback port with its own data folder, started from
/// the repository's node_modules and stopped (by its process id) when disposed. Over HTTP by
/// default (<see cref="StartAsync"/>); <see cref="StartWithOAuthAsync"/> starts it over HTTPS with
/// bearer tokens accepted (<c>--oauth basic</c>) and a self-signed certificate it makes itself.
/// Telemetry is always off (<c>--disableTelemetry</c>): without it Azurite sends usage data off the machine.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _dataFolder;
    private static readonly HttpClient s_http = new();
    private readonly HttpClient _http;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _requests = new();
    private Process? _process;
    private volatile bool _recordsRequests = true;
    private bool _inMemory;

    private AzuriteServer(int port, string dataFolder, LoopbackCertificate? certificate)
    {
        Port = port;
        _dataFolder = dataFolder;
        Certificate = certificate;
        _http = certificate is null ? s_http : new HttpClient(certificate.CreateHttpMessageHandler());
    }

    public int Port { get; }

    /// <summary>
    /// The account's blob endpoint, path-style: <c>http://127.0.0.1:PORT/devstoreaccount1</c>, or
    /// <c>https://...</c> when started by <see cref="StartWithOAuthAsync"/>.
    /// </summary>
    public Uri Endpoint => new($"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port}/{AccountName}");

    /// <summary>
    /// The self-signed certificate Azurite serves when started by <see cref="StartWithOAuthAsync"/>
    /// (its PEM files live in the server's data folder); null over HTTP. Clients trust it through
    /// <see cref="LoopbackCertificate.CreateTransport"/> (Azure SDK options' <c>Transport</c>) or
    /// <see cref="LoopbackCertificate.CreateHttpMessageHandler"/>, azcopy through
    /// <see cref="LoopbackCertificate.AzCopyEnvironment"/>.
    /// </summary>
    public LoopbackCertificate? Certificate { get; }

    /// <summary>True when started by <see cref="StartWithOAuthAsync"/>: HTTPS, bearer tokens accepted.</summary>
    public bool AcceptsBearerTokens => Certificate is not null;

    /// <summary>
    /// The newest Blob service version Azurite 3.37 accepts on its own: it answers the SDK 12.30
    /// default (2026-10-06) with 400 InvalidHeaderValue unless started with
    /// <c>--skipApiVersionCheck</c>, which this class passes (so here both work; a real
    /// deployment of the emulator may not).
    /// </summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>
    /// Options for Azure.Storage.Blobs clients of this server: <see cref="ServiceVersion"/> and,
    /// over HTTPS, a transport that trusts <see cref="Certificate"/> (and nothing else).
    /// </summary>
    public BlobClientOptions CreateBlobClientOptions()
    {
        var options = new BlobClientOptions(ServiceVersion);
        if (Certificate is not null)
        {
            options.Transport = Certificate.CreateTransport();
        }

        return options;
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The CPU time the emulator has used so far (a benchmark tells its share of a run from the clients').</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            var process = _process ?? throw new InvalidOperationException("Azurite is not running.");
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// The requests the emulator served to <paramref name="container"/> so far, as "METHOD /path?query"
    /// from its access log, so that a test can tell how the library talked to the service.
    /// </summary>
    /// <remarks>
    /// Azurite writes its access log asynchronously, so a request just answered may not be in it
    /// yet: this first sends a marker request and waits until the marker shows up (the log is in
    /// order), then returns what came before it.
    /// </remarks>
    /// <param name="container">The container.</param>
    /// <param name="withStatus">Append the response's status code: "METHOD /path?query 201".</param>
    public async Task<IReadOnlyList<string>> RequestsToAsync(string container, bool withStatus = false)
    {
        var marker = $"azfuse-log-marker-{Guid.NewGuid():N}";
        using (var request = new HttpRequestMessage(HttpMethod.Head, $"{Endpoint.AbsoluteUri.TrimEnd('/')}/{container}/{marker}"))
        {
            using var response = await _http.SendAsync(request); // unauthenticated: a 403 (401 with OAuth), logged like any request
        }

        for (var waited = 0; waited < 200 && !_requests.Any(line => line.Contains(marker, StringComparison.Ordinal)); waited++)
        {
            await Task.Delay(50);
        }

        return RequestsTo(container, withStatus)
            .TakeWhile(r => !r.Contains(marker, StringComparison.Ordinal))
            .Where(r => !r.Contains("azfuse-log-marker-", StringComparison.Ordinal)) // earlier calls' markers
            .ToList();
    }

    /// <summary>
    /// Whether the access log is kept for <see cref="RequestsToAsync"/> (default: yes). A benchmark
    /// of hundreds of thousands of requests turns it off: kept, a line per request fills its
    /// process's heap, which every collection then walks. Turning it off forgets what was kept.
    /// </summary>
    public bool RecordsRequests
    {
        get => _recordsRequests;
        set
        {
            _recordsRequests = value;
            if (!value)
            {
                _requests.Clear();
            }
        }
    }

    private IReadOnlyList<string> RequestsTo(string container, bool withStatus)
    {
        var prefix = $" /{AccountName}/{container}";
        return _requests
            .Select(line => line[(line.IndexOf('"', StringComparison.Ordinal) + 1)..])
            .Where(request => request.AsSpan(request.IndexOf(' ', StringComparison.Ordinal)).StartsWith(prefix, StringComparison.Ordinal))
            .Select(request => request[..request.LastIndexOf(" HTTP/", StringComparison.Ordinal)] + (withStatus ? " " + StatusOf(request) : string.Empty))
            .ToList();
    }

    // '... HTTP/1.1" 201 -': the status follows the closing quote.
    private static string StatusOf(string request) =>
        request[(request.LastIndexOf('"') + 1)..].Trim().Split(' ')[0];

    /// <summary>Starts Azurite over HTTP (Shared Key and SAS; no bearer tokens).</summary>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
        var server = new AzuriteServer(FreePort(), dataFolder, certificate: null);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>
    /// Starts Azurite over HTTP keeping everything in memory (<c>--inMemoryPersistence</c>): for a
    /// benchmark of hundreds of thousands of blobs, where the emulator on disk saved its whole
    /// metadata again and again and its uploads slowed to seconds each. Nothing survives <see cref="StopAsync"/>.
    /// </summary>
    public static async Task<AzuriteServer> StartInMemoryAsync(CancellationToken cancellationToken = default)
    {
        var dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
        var server = new AzuriteServer(FreePort(), dataFolder, certificate: null) { _inMemory = true };
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>
    /// Starts Azurite over HTTPS with <c>--oauth basic</c>: it accepts bearer tokens (Azurite
    /// accepts them only over HTTPS) as well as Shared Key and SAS. It serves a new self-signed
    /// certificate for 127.0.0.1 and localhost (<see cref="Certificate"/>), written as PEM files
    /// into its data folder. Tokens: <see cref="AzuriteTokenCredential"/>.
    /// </summary>
    public static async Task<AzuriteServer> StartWithOAuthAsync(CancellationToken cancellationToken = default)
    {
        var dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
        var certificate = LoopbackCertificate.Create(Path.Combine(dataFolder, "tls"));
        var server = new AzuriteServer(FreePort(), Directory.CreateDirectory(Path.Combine(dataFolder, "data")).FullName, certificate);
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
        if (Certificate is not null)
        {
            _http.Dispose();
            Certificate.Dispose();
        }

        try
        {
            // The data folder, or (with OAuth) the folder holding it and the certificate.
            Directory.Delete(Certificate is null ? _dataFolder : Path.GetDirectoryName(_dataFolder)!, recursive: true);
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
        // In memory, Azurite takes no --location (it refuses both).
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--loose", "--disableTelemetry" }
            .Concat(_inMemory ? ["--inMemoryPersistence"] : ["--location", _dataFolder]))
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (Certificate is not null)
        {
            foreach (var arg in new[] { "--oauth", "basic", "--cert", Certificate.CertificatePath, "--key", Certificate.KeyPath })
            {
                startInfo.ArgumentList.Add(arg);
            }
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Azurite did not start.");
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            // Azurite's access log: '127.0.0.1 - - [date] "HEAD /devstoreaccount1/container/blob HTTP/1.1" 200 -'.
            if (_recordsRequests && e.Data is { } line && line.Contains("\" ", StringComparison.Ordinal) && line.Contains(" HTTP/", StringComparison.Ordinal))
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
