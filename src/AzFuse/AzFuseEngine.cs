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
        var mappings = MappingFileLoader.Load(options.MappingFile)
            .Select(m => m with { RevalidateAfter = m.RevalidateAfter ?? options.RevalidateAfter, MaxCacheSize = m.MaxCacheSize ?? options.MaxCacheSize })
            .ToList();
        Resolver = new PathResolver(mappings, accounts);
        Staging = new SharedMemoryStaging(options.SharedMemoryFolder, logger);
        Pending = new PendingStore(time, new PendingRecordCheck(mappings, Staging));
        Statistics = new CacheStatistics();
        Freshness = new Freshness(time);
        var eviction = new CacheEviction(Pending);
        Eviction = eviction;
        Space = new CacheSpace(CacheLimits(mappings), eviction, Statistics, options.LockTimeout, time, logger);
        Clearing = new CacheClearing(eviction, Space, logger);

        var retry = TransferRetry.Create(options, logger);
        Blobs = new BlobRestClient(time, retry, options.TransferStallTimeout);
        Sas = new SasProvider(time, options.SasLifetime);
        var locator = new AzCopyLocator(options.AzCopyPath);
        Planner = new TransferPlanner(options, locator, logger);
        var runner = new AzCopyRunner(locator, loggerFactory.CreateLogger("AzFuse.AzCopy"));
        var downloader = new FileDownloader(Blobs, new PipeDownloader(runner, Sas, options.TransferStallTimeout, time), Planner, retry);
        var revalidation = new Revalidation(eviction, Space, time, logger);
        Filler = new CacheFiller(downloader, Blobs, Freshness, Space, revalidation, options.LockTimeout, time, logger);
        Batch = new BatchFiller(
            downloader,
            new JobDownloader(runner, Sas, Blobs, options.TransferStallTimeout, time),
            Planner,
            retry,
            Blobs,
            time,
            logger,
            p => Staging.StagedPathOf(p.CacheRoot, p.CachePath) is { } staged && File.Exists(staged),
            Freshness,
            new BatchRevalidator(Blobs, Freshness, revalidation, Planner),
            Space,
            eviction);

        var transfers = new UploadTransfers(
            new PipeUploader(runner, Sas, Blobs, options.TransferStallTimeout, time),
            new JobUploader(runner, Sas, Blobs, options.TransferStallTimeout, time),
            Blobs,
            Planner,
            retry,
            time,
            logger);
        var uploader = new Uploader(transfers, logger, uploaded =>
        {
            if (!uploaded.Staged)
            {
                CacheCommit.MarkUploaded(uploaded.DataPath, uploaded.Token, time.GetUtcNow());
            }
        });
        Writer = new FileWriter(Filler, Blobs, uploader, Pending, Staging, Space, options.LockTimeout, time, logger);
        var cacheRoots = mappings.Select(m => m.CacheRoot).Distinct(StringComparer.Ordinal).ToList();
        CacheRoots = cacheRoots;
        Remote = new RemoteFiles(Blobs, Pending, Staging, time);
        Resumer = new UploadResumer(Pending, uploader, accounts, Staging, cacheRoots, logger);

        foreach (var root in cacheRoots)
        {
            CacheLayout.PruneAbandoned(root, AzCopyLogs.KeepFailedRunsFor, time);
            if (Staging.TrustedRootOf(root) is { } staged)
            {
                CacheLayout.PruneAbandoned(staged, AzCopyLogs.KeepFailedRunsFor, time);
            }
        }

        // Uploads a crashed run left pending go first, in the background: the first Open need not wait.
        if (Resumer.HasAbandoned())
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await Resumer.ResumeAsync(async: true, CancellationToken.None, reportSkipped: false).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.ResumeFailed(logger, ex);
                }
            });
        }
    }

    public PathResolver Resolver { get; }

    public CacheStatistics Statistics { get; }

    public Freshness Freshness { get; }

    public CacheSpace Space { get; }

    public CacheEviction Eviction { get; }

    public CacheClearing Clearing { get; }

    /// <summary>Every cache root of the mapping file (full paths).</summary>
    public IReadOnlyList<string> CacheRoots { get; }

    public IBlobService Blobs { get; }

    public SasProvider Sas { get; }

    public RemoteFiles Remote { get; }

    public TransferPlanner Planner { get; }

    public CacheFiller Filler { get; }

    public BatchFiller Batch { get; }

    public FileWriter Writer { get; }

    public PendingStore Pending { get; }

    public SharedMemoryStaging Staging { get; }

    public UploadResumer Resumer { get; }

    /// <summary>The size limit of each bounded cache root. Mappings that share a root must agree on it.</summary>
    private static Dictionary<string, long> CacheLimits(IReadOnlyList<MountMapping> mappings)
    {
        var limits = new Dictionary<string, long>(StringComparer.Ordinal);
        var setBy = new Dictionary<string, MountMapping>(StringComparer.Ordinal);
        foreach (var mapping in mappings.Where(m => m.MaxCacheSize is not null))
        {
            var root = mapping.CacheRoot;
            if (setBy.TryGetValue(root, out var first))
            {
                if (first.MaxCacheSize != mapping.MaxCacheSize)
                {
                    throw Errors.CacheSizeConflict(root, first, mapping);
                }

                continue;
            }

            setBy[root] = mapping;
            if (mapping.MaxCacheSize != long.MaxValue)
            {
                limits[root] = mapping.MaxCacheSize!.Value;
            }
        }

        return limits;
    }
}
