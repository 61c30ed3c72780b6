using Microsoft.Extensions.Logging;

namespace AzFuse.Cli;

/// <summary>
/// What a running command works with: the console, whether --verbose was given, and the AzFuse
/// client, built from the environment (and --config or -c) on first use, so that --help and bad
/// usage never read any configuration.
/// </summary>
internal sealed class CliContext
{
    private readonly Lazy<AzFuseOptions> _options;
    private readonly Lazy<AzFuseClient> _client;

    public CliContext(CliConsole console, bool verbose, string? configFile = null, string? configName = null)
    {
        Console = console;
        Verbose = verbose;
        _options = new Lazy<AzFuseOptions>(() => CreateOptions(configFile, configName));
        _client = new Lazy<AzFuseClient>(CreateClient);
    }

    public CliConsole Console { get; }

    public bool Verbose { get; }

    /// <summary>The options from the environment, with the mapping file named by --config or -c.</summary>
    public AzFuseOptions Options => _options.Value;

    public AzFuseClient Client => _client.Value;

    /// <summary>The client if the command used one; <see langword="null"/> when it never needed it.</summary>
    public AzFuseClient? ClientIfCreated => _client.IsValueCreated ? _client.Value : null;

    private static AzFuseOptions CreateOptions(string? configFile, string? configName)
    {
        var options = AzFuseOptions.FromEnvironment();
        if (configFile is not null && configName is not null)
        {
            throw new UsageException("--config and -c both name a mapping file: give one of them.");
        }

        // Naming a mapping file on the command line asks for it to be used: AzFuse is turned on.
        if ((configFile ?? (configName is null ? null : Path.Combine("aux_data", "azfuse", configName + ".yaml"))) is { } mappingFile)
        {
            options.MappingFile = mappingFile;
            options.Enabled = true;
        }

        return options;
    }

    private AzFuseClient CreateClient()
    {
        var logging = new StderrLoggerFactory(Console.Error, Verbose ? LogLevel.Debug : LogLevel.Warning);
        var client = new AzFuseClient(Options, logging);
        if (!client.IsEnabled)
        {
            // Said once per run, on stderr so that stdout stays the command's output.
            Console.Error.WriteLine("azfuse: AZFUSE_USE_FUSE is not set: acting on local files (set AZFUSE_USE_FUSE=1 to use the mapping's blobs).");
        }

        return client;
    }
}
