using AzFuse.Cache;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using Microsoft.Extensions.Logging;

namespace AzFuse;

/// <summary>
/// The parts an enabled client works with, wired once from its options when first needed:
/// configuration is read on first use, never when AzFuse is disabled.
/// </summary>
internal sealed class AzFuseEngine
{
    public AzFuseEngine(AzFuseOptions options, ILoggerFactory loggerFactory)
    {
        if (options.MappingFile is null)
        {
            throw Errors.ConfigFileNotSet();
        }

        var logger = loggerFactory.CreateLogger("AzFuse");
        var time = options.TimeProvider;
        var accounts = new StorageAccountLoader(options.StorageAccountFolder);
        Resolver = new PathResolver(MappingFileLoader.Load(options.MappingFile), accounts);

        Blobs = new BlobRestClient(time);
        var sas = new SasProvider(time, options.SasLifetime);
        var runner = new AzCopyRunner(new AzCopyLocator(options.AzCopyPath), loggerFactory.CreateLogger("AzFuse.AzCopy"));
        Filler = new CacheFiller(Blobs, new PipeDownloader(runner, sas, time), options.LockTimeout, time, logger);
        Batch = new BatchFiller(Filler, new JobDownloader(runner, sas, time), Blobs, time, logger);
    }

    public PathResolver Resolver { get; }

    public IBlobService Blobs { get; }

    public CacheFiller Filler { get; }

    public BatchFiller Batch { get; }
}
