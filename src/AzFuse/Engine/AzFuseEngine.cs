using AzFuse.Cache;
using AzFuse.Commit;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse.Engine;

/// <summary>
/// The parts an enabled client works with, wired once from its options when first needed:
/// configuration is read on first use, never when AzFuse is disabled.
/// </summary>
internal sealed class AzFuseEngine : IObservedClient
{
    public AzFuseEngine(AzFuseOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("AzFuse");
        var time = options.TimeProvider;
        Time = time;
        var accounts = StorageAccountLoader.FromOptions(options, logger);
        Accounts = accounts;
        var mappings = MappingSource.Load(options, logger);
        Mappings = mappings;
        Resolver = new PathResolver(mappings, accounts);
        Staging = new SharedMemoryStaging(options.SharedMemoryFolder, logger);
        Pending = new PendingStore(time, new PendingRecordCheck(mappings, Staging));
        Statistics = new CacheStatistics();
        Freshness = new Freshness(time);
        var eviction = new CacheEviction(Pending);
        Eviction = eviction;
        Space = new CacheSpace(CacheBound.ForRoots(mappings), eviction, Statistics, options.LockTimeout, time, logger);
        Clearing = new CacheClearing(eviction, Space, logger);

        var retry = RetryPolicy.Create(options, logger);
        Blobs = new BlobService(new BlobClients(accounts, options, logger), retry, options.TransferStallTimeout, logger);
        Sas = new SasProvider(Blobs, time, options.SasLifetime, logger);
        var locator = new AzCopyLocator(options.AzCopyPath);
        Planner = new TransferPlanner(options, locator, logger);
        var runner = new AzCopyRunner(locator, options.AzCopyEnvironment, loggerFactory.CreateLogger("AzFuse.AzCopy"));
        var chunks = ChunkSettings.From(options);
        Chunks = chunks;
        Fetcher = new RangeFetcher(Blobs, retry);
        var downloader = new FileDownloader(Blobs, new PipeDownloader(runner, Sas, options.TransferStallTimeout, time, chunks.Verify), new RangedDownloader(Fetcher, chunks, logger), Planner, retry, chunks, logger);
        var revalidation = new Revalidation(eviction, Space, time, logger);
        var fills = new UnsyncedFills(logger);
        Fills = fills;
        var writingFolders = new WritingFolders(fills, time, logger);
        Filler = new CacheFiller(downloader, Blobs, Freshness, Space, revalidation, fills, writingFolders, options.LockTimeout, time, logger);
        Batch = new BatchFiller(
            downloader,
            new JobDownloader(runner, Sas, Blobs, options.TransferStallTimeout, time, chunks.Verify),
            Planner,
            retry,
            Blobs,
            time,
            logger,
            p => Staging.StagedPathOf(p.CacheRoot, p.CachePath) is { } staged && File.Exists(staged),
            Freshness,
            new BatchRevalidator(Blobs, Freshness, revalidation, Planner),
            Space,
            eviction,
            fills,
            options.LockTimeout);

        var transfers = new UploadTransfers(
            new PipeUploader(runner, Sas, Blobs, options.TransferStallTimeout, time),
            new JobUploader(runner, Sas, Blobs, options.TransferStallTimeout, time),
            Blobs,
            new BlockUploader(Blobs, chunks, logger),
            Planner,
            retry,
            time,
            logger);
        var uploader = new Uploader(
            transfers,
            logger,
            uploaded =>
            {
                if (!uploaded.Staged)
                {
                    CacheCommit.MarkUploaded(uploaded.CacheRoot, uploaded.DataPath, uploaded.Token, time.GetUtcNow());
                }
            },
            options.ShutdownUploadDeadline,
            time);
        Uploader = uploader;
        Writer = new FileWriter(Filler, Blobs, uploader, Pending, Staging, Space, fills, writingFolders, options.LockTimeout, time, logger, options.MaxPendingUploadBytes);
        var cacheRoots = mappings.Select(m => m.CacheRoot).Distinct(StringComparer.Ordinal).ToList();
        CacheRoots = cacheRoots;
        Remote = new RemoteFiles(Blobs, Pending, Staging, Sas);
        Commits = new CommitProtocol(Blobs, Resolver, Remote, time, logger);
        Reader = new CacheReader(this, logger);
        var blocks = new BlockCache(Fetcher, Space, fills, chunks);
        Streams = new StreamOpener(Blobs, blocks, Space, chunks.InFlight, logger);
        Ranges = new RangeReader(Reader, Blobs, Fetcher, chunks, logger);
        Resumer = new UploadResumer(Pending, uploader, accounts, Staging, cacheRoots, logger);
        Telemetry.Track(this);
        StatsFile = StatsFiles.Start(options.StatsFolder, GetProcessStats, time);

        foreach (var root in cacheRoots)
        {
            CacheLayout.PruneAbandoned(root, AzCopyLogs.KeepFailedRunsFor, time);
            UnsyncedFills.Recover(root, eviction, Pending, Space, options.LockTimeout, time, logger, BootSession.Current);
            if (Staging.TrustedRootOf(root) is { } staged)
            {
                CacheLayout.PruneAbandoned(staged, AzCopyLogs.KeepFailedRunsFor, time);
            }
        }

        // Uploads a crashed run left pending go first, in the background: the first Open need not wait.
        if (Resumer.HasAbandoned())
        {
            Resumer.StartInBackground(ex => Log.ResumeFailed(logger, ex));
        }
    }

    public PathResolver Resolver { get; }

    /// <summary>How large transfers are cut into chunks.</summary>
    public ChunkSettings Chunks { get; }

    /// <summary>Fetches one verified range of a blob (the piece of every ranged read).</summary>
    public RangeFetcher Fetcher { get; }

    /// <summary>Streamed reads (<see cref="OpenOptions.Streaming"/>).</summary>
    public StreamOpener Streams { get; }

    /// <summary>ReadRange.</summary>
    public RangeReader Ranges { get; }

    /// <summary>Open for reading, and Prepare.</summary>
    public CacheReader Reader { get; }

    public StorageAccountLoader Accounts { get; }

    public TimeProvider Time { get; }

    public IReadOnlyList<MountMapping> Mappings { get; }

    public CacheStatistics Statistics { get; }

    public Freshness Freshness { get; }

    public CacheSpace Space { get; }

    public CacheEviction Eviction { get; }

    public CacheClearing Clearing { get; }

    /// <summary>Every cache root of the mapping file (full paths).</summary>
    public IReadOnlyList<string> CacheRoots { get; }

    public BlobService Blobs { get; }

    public SasProvider Sas { get; }

    public RemoteFiles Remote { get; }

    public CommitProtocol Commits { get; }

    public TransferPlanner Planner { get; }

    public CacheFiller Filler { get; }

    /// <summary>Cache fills renamed into place without an fsync each, and what a restart removes of them.</summary>
    public UnsyncedFills Fills { get; }

    public BatchFiller Batch { get; }

    public FileWriter Writer { get; }

    public Uploader Uploader { get; }

    public PendingStore Pending { get; }

    public SharedMemoryStaging Staging { get; }

    public UploadResumer Resumer { get; }

    /// <summary>Where this client publishes its counters for other processes; null when off.</summary>
    public StatsFiles? StatsFile { get; }

    (long Files, long Bytes) IObservedClient.PendingUploads => (Uploader.PendingFiles, Uploader.PendingBytes);

    IEnumerable<(string CacheFolder, long Bytes)> IObservedClient.CacheSizes => Space.LedgerSizes();

    /// <summary>This client's counters, as <see cref="StatsFiles"/> publishes them.</summary>
    public ProcessStats GetProcessStats() => new()
    {
        ProcessId = Environment.ProcessId,
        ProcessName = StatsFiles.ProcessName,
        UpdatedAt = Time.GetUtcNow(),
        Hits = Statistics.Hits,
        Misses = Statistics.Misses,
        Evictions = Statistics.Evictions,
        PendingUploads = Uploader.PendingFiles,
        PendingUploadBytes = Uploader.PendingBytes,
        Usage = Blobs.Clients.Usage.Snapshot(),
    };

    /// <summary>See <see cref="AzFuseClient.GetCacheStats"/>: the cache folders walked, and this client's counters.</summary>
    public CacheStats GetCacheStats()
    {
        long files = 0, bytes = 0;
        foreach (var root in CacheRoots)
        {
            foreach (var file in CacheEviction.Walk(root))
            {
                files++;
                bytes += file.Length;
            }
        }

        return new CacheStats { Files = files, Bytes = bytes, Hits = Statistics.Hits, Misses = Statistics.Misses, Evictions = Statistics.Evictions };
    }

    /// <summary>See <see cref="AzFuseClient.VerifyCredentialAsync"/>.</summary>
    public async Task<string> VerifyCredentialAsync(string storageAccount, CancellationToken cancellationToken)
    {
        var mapping = Mappings.FirstOrDefault(m => m.StorageAccount == storageAccount)
            ?? new MountMapping(string.Empty, string.Empty, string.Empty, storageAccount, "VerifyCredentialAsync", 0);
        var account = Accounts.Get(storageAccount, mapping);
        switch (account.Credential)
        {
            case CredentialKind.Anonymous:
                return "no credential: only public containers can be read";
            case CredentialKind.SasToken:
                return SasTokens.Expiry(account.SasToken!) is { } expiry
                    ? expiry > Time.GetUtcNow() ? $"the SAS token from the file, valid until {expiry:yyyy-MM-dd HH:mm} UTC" : throw Errors.SasTokenExpired(account, expiry)
                    : "the SAS token from the file (it names no expiry)";
            case CredentialKind.AccountKey:
                _ = await Sas.GetContainerSasAsync(account, "rl", async: true, cancellationToken).ConfigureAwait(false);
                return "signed a container SAS with the account key";
            default:
                var token = await Blobs.Clients.GetTokenAsync(account, cancellationToken).ConfigureAwait(false);
                _ = await Sas.GetContainerSasAsync(account, "rl", async: true, cancellationToken).ConfigureAwait(false);
                return $"got a Microsoft Entra ID token (valid until {token.ExpiresOn.UtcDateTime:yyyy-MM-dd HH:mm} UTC) and a user-delegation key to sign azcopy's SAS";
        }
    }
}
