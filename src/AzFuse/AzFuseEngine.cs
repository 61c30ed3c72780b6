using AzFuse.Cache;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using AzFuse.Upload;
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
        var mappings = MappingFileLoader.Load(options.MappingFile);
        Resolver = new PathResolver(mappings, accounts);

        Blobs = new BlobRestClient(time);
        var sas = new SasProvider(time, options.SasLifetime);
        var runner = new AzCopyRunner(new AzCopyLocator(options.AzCopyPath), loggerFactory.CreateLogger("AzFuse.AzCopy"));
        Filler = new CacheFiller(Blobs, new PipeDownloader(runner, sas, time), options.LockTimeout, time, logger);
        Staging = new SharedMemoryStaging(options.SharedMemoryFolder, logger);
        Batch = new BatchFiller(Filler, new JobDownloader(runner, sas, time), Blobs, time, logger, p => File.Exists(Staging.StagedPathOf(p.CacheRoot, p.CachePath)));

        var transfers = new UploadTransfers(
            new PipeUploader(runner, sas, Blobs, options.TransferStallTimeout, time),
            new JobUploader(runner, sas, Blobs, options.TransferStallTimeout, time),
            Blobs,
            UploadRetry.Create(options, logger),
            time,
            logger);
        var uploader = new Uploader(transfers, logger);
        Pending = new PendingStore(time);
        Writer = new FileWriter(Filler, Blobs, uploader, Pending, Staging, time);
        var cacheRoots = mappings.Select(m => Path.GetFullPath(m.Cache)).Distinct(StringComparer.Ordinal).ToList();
        Resumer = new UploadResumer(Pending, uploader, accounts, Staging, cacheRoots, logger);

        // Uploads a crashed run left pending go first, in the background: the first Open need not wait.
        if (Resumer.HasAbandoned())
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await Resumer.ResumeAsync(async: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.ResumeFailed(logger, ex);
                }
            });
        }
    }

    public PathResolver Resolver { get; }

    public IBlobService Blobs { get; }

    public CacheFiller Filler { get; }

    public BatchFiller Batch { get; }

    public FileWriter Writer { get; }

    public PendingStore Pending { get; }

    public SharedMemoryStaging Staging { get; }

    public UploadResumer Resumer { get; }
}
