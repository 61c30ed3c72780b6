using Microsoft.Extensions.Logging;

namespace AzFuse.Cli;

/// <summary>
/// What a running command works with: the console, whether --verbose was given, and the AzFuse
/// client, built from the environment on first use (so that --help and bad usage never read any
/// configuration).
/// </summary>
internal sealed class CliContext
{
    private readonly Lazy<AzFuseClient> _client;

    public CliContext(CliConsole console, bool verbose)
    {
        Console = console;
        Verbose = verbose;
        _client = new Lazy<AzFuseClient>(CreateClient);
    }

    public CliConsole Console { get; }

    public bool Verbose { get; }

    public AzFuseClient Client => _client.Value;

    /// <summary>The client if the command used one; <see langword="null"/> when it never needed it.</summary>
    public AzFuseClient? ClientIfCreated => _client.IsValueCreated ? _client.Value : null;

    private AzFuseClient CreateClient()
    {
        var logging = new StderrLoggerFactory(Console.Error, Verbose ? LogLevel.Debug : LogLevel.Warning);
        var client = AzFuseClient.FromEnvironment(logging);
        if (!client.IsEnabled)
        {
            // Said once per run, on stderr so that stdout stays the command's output.
            Console.Error.WriteLine("azfuse: AZFUSE_USE_FUSE is not set: acting on local files (set AZFUSE_USE_FUSE=1 to use the mapping's blobs).");
        }

        return client;
    }
}
