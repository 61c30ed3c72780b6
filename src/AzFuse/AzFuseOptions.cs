using AzFuse.Configuration;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AzFuse;

/// <summary>
/// Settings of an <see cref="AzFuseClient"/>. <see cref="FromEnvironment"/> reads the same
/// environment variables as the Python tool, so existing setups work unchanged.
/// </summary>
public sealed partial class AzFuseOptions
{
    private TimeSpan _lockTimeout = TimeSpan.FromHours(1);
    private TimeSpan _sasLifetime = TimeSpan.FromHours(4);
    private TimeProvider _timeProvider = TimeProvider.System;
    private int _transferAttempts = 20;
    private TimeSpan _retryDelay = TimeSpan.FromSeconds(1);
    private TimeSpan _retryBudget = TimeSpan.FromSeconds(60);
    private TimeSpan _credentialTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _shutdownUploadDeadline = TimeSpan.FromSeconds(25);
    private long _maxPendingUploadBytes = 1L << 30;
    private TimeSpan _transferStallTimeout = TimeSpan.FromMinutes(2);
    private string _sharedMemoryFolder = "/dev/shm";
    private long _azCopyMinFileSize = long.MaxValue;
    private int _azCopyMinBatchCount = 10_000;
    private int _httpParallelism = 16;
    private TimeSpan? _revalidateAfter;
    private long? _maxCacheSize;

    /// <summary>
    /// Whether logical paths are mapped to blobs at all. Default <see langword="false"/>: every
    /// call works on the local path itself and no configuration is read.
    /// Environment: <c>AZFUSE_USE_FUSE</c> (or <c>AZFUSE_TSV_USE_FUSE</c>, with <c>QD_</c> in place of
    /// <c>AZFUSE_</c> read first): on when the sum of the two as integers is not zero, as in the Python tool.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The YAML mapping file: a list of <c>{local, remote, cache, storage_account}</c> entries.
    /// Default <see langword="null"/>: as the Python tool, <c>aux_data/configs/azfuse.yaml</c> in the
    /// current directory. Not read when <see cref="Mappings"/> lists any.
    /// Environment: <c>AZFUSE_CLOUD_FUSE_CONFIG_FILE</c> (or <c>QD_CLOUD_FUSE_CONFIG_FILE</c>).
    /// </summary>
    public string? MappingFile { get; set; }

    /// <summary>
    /// The folder of storage account files: <c>storage_account: NAME</c> reads <c>NAME.yaml</c> here.
    /// Default <c>./aux_data/storage_account</c>. Environment: <c>AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER</c>.
    /// </summary>
    public string StorageAccountFolder { get; set; } = DefaultStorageAccountFolder;

    /// <summary>
    /// The azcopy executable. Default <see langword="null"/>: search <c>~/code/azcopy/azcopy</c>,
    /// <c>PATH</c>, then <c>/usr/bin/azcopy</c>. Environment: <c>AZFUSE_AZCOPY_PATH</c>.
    /// </summary>
    public string? AzCopyPath { get; set; }

    /// <summary>
    /// How long an Open waits for another process that is downloading the same file.
    /// Default 1 hour (a multi-GB checkpoint can take minutes); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative, other than infinite.</exception>
    public TimeSpan LockTimeout
    {
        get => _lockTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(LockTimeout), value, "LockTimeout must be positive or Timeout.InfiniteTimeSpan.");
            }

            _lockTimeout = value;
        }
    }

    /// <summary>
    /// The lifetime of the container SAS this library signs for azcopy when a storage account is
    /// reached with <c>account_key</c> or with Microsoft Entra ID (a user-delegation SAS) rather than
    /// with a <c>sas_token</c>. Default 4 hours; between 5 minutes and 7 days. A SAS is renewed for
    /// new transfers once half of it has passed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 5 minutes to 7 days.</exception>
    public TimeSpan SasLifetime
    {
        get => _sasLifetime;
        set
        {
            if (value < TimeSpan.FromMinutes(5) || value > TimeSpan.FromDays(7))
            {
                throw new ArgumentOutOfRangeException(nameof(SasLifetime), value, "SasLifetime must be between 5 minutes and 7 days.");
            }

            _sasLifetime = value;
        }
    }

    /// <summary>
    /// The most times a transfer (download or upload) or a storage request is tried when it fails
    /// for a reason that may pass (the service unreachable, busy or failing; a timeout; a broken
    /// connection); <see cref="RetryBudget"/> usually ends the retries first. Default 20; between
    /// 1 and 50. Causes that need a fix (access denied, an expired SAS, a credential that cannot
    /// sign in, an untrusted certificate, no container, no blob) are never retried.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 50.</exception>
    public int TransferAttempts
    {
        get => _transferAttempts;
        set => _transferAttempts = value is >= 1 and <= 50
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TransferAttempts), value, "TransferAttempts must be between 1 and 50.");
    }

    /// <summary>
    /// The wait before the first retry of a transfer or request; each further retry waits about
    /// twice as long (with jitter), up to ten times this. Default 1 second; between zero and 5 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 5 minutes.</exception>
    public TimeSpan RetryDelay
    {
        get => _retryDelay;
        set => _retryDelay = value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(5)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RetryDelay), value, "RetryDelay must be between zero and 5 minutes.");
    }

    /// <summary>
    /// How long a failing transfer or request keeps being retried, counted from its first attempt:
    /// a storage outage shorter than this (a restarted front end, a network blip) costs a job
    /// nothing. No retry starts after it has passed. Default 60 seconds (with the default
    /// <see cref="RetryDelay"/>, attempts at about 0, 1, 3, 7, 15, 25, 35, 45 and 55 s); between
    /// zero (no retries) and 1 day.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 1 day.</exception>
    public TimeSpan RetryBudget
    {
        get => _retryBudget;
        set => _retryBudget = value >= TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RetryBudget), value, "RetryBudget must be between zero and 1 day.");
    }

    /// <summary>
    /// A <see cref="TokenCredential"/> (for example <c>new DefaultAzureCredential()</c>) used for every
    /// storage account whose file names no credential of its own (no <c>account_key</c>,
    /// <c>sas_token</c>, <c>use_default_azure_cred</c> or <c>credential</c>). Default
    /// <see langword="null"/>: such accounts are read anonymously (public containers).
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>
    /// A <see cref="TokenCredential"/> per storage account file name (<c>storage_account</c> in the
    /// mapping), used for that account instead of whatever its file names. Default empty.
    /// </summary>
    public IDictionary<string, TokenCredential> AccountCredentials { get; } = new Dictionary<string, TokenCredential>(StringComparer.Ordinal);

    /// <summary>
    /// How long getting a Microsoft Entra ID token may take before the sign-in counts as failed:
    /// a managed-identity endpoint that does not answer, or an <c>az</c> that hangs, fails within
    /// this instead of hanging a job. Default 10 seconds; between 1 second and 5 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 second to 5 minutes.</exception>
    public TimeSpan CredentialTimeout
    {
        get => _credentialTimeout;
        set => _credentialTimeout = value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(5)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CredentialTimeout), value, "CredentialTimeout must be between 1 second and 5 minutes.");
    }

    /// <summary>
    /// The HTTP transport every storage request goes through, as in any Azure SDK client's options:
    /// set it for a proxy or a private certificate authority. Default <see langword="null"/>: one
    /// <see cref="HttpClient"/> shared by every client in the process (connections are pooled).
    /// </summary>
    public HttpPipelineTransport? Transport { get; set; }

    /// <summary>
    /// How long a transfer or request may go without progress (no byte moved, no response) before
    /// it is stopped and counted as a failed attempt. azcopy retries an unreachable service for
    /// many minutes on its own; this bounds how long an Open, a write or an
    /// <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> scope can hang.
    /// Default 2 minutes; at least 1 second.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 1 second.</exception>
    public TimeSpan TransferStallTimeout
    {
        get => _transferStallTimeout;
        set => _transferStallTimeout = value >= TimeSpan.FromSeconds(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TransferStallTimeout), value, "TransferStallTimeout must be at least 1 second.");
    }

    /// <summary>
    /// Which engine moves data. <see cref="AzFuseTransferEngine.Auto"/> (the default) picks the
    /// fastest for each transfer from the file count and size (see <see cref="AzCopyMinFileSize"/>
    /// and <see cref="AzCopyMinBatchCount"/>). Environment: <c>AZFUSE_TRANSFER_ENGINE=auto|azcopy|http</c>.
    /// </summary>
    public AzFuseTransferEngine TransferEngine { get; set; } = AzFuseTransferEngine.Auto;

    /// <summary>
    /// Under <see cref="AzFuseTransferEngine.Auto"/>, a single file at least this large goes through
    /// azcopy's pipe mode instead of the in-process engine. Default <see cref="long.MaxValue"/>:
    /// never. Through a link of 10 ms each way and 25 MB/s per connection, the in-process engine
    /// (ranges and blocks in parallel) beat azcopy's pipe mode at every size measured: a 256 MiB
    /// download took 2.5 s against 12.1 s (pipe mode moves one stream), an upload 4.9 s against
    /// 7.2 s. Only on loopback, where no round trip limits a stream and the cores are the bottleneck,
    /// did pipe mode win at 256 MiB (1.0 s against 1.7 s); a storage account is a link, so the
    /// default follows the link (see the README's *Transfer planner*). Set 256 MiB where storage is
    /// effectively local, or where your own measurements say azcopy wins. At least 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long AzCopyMinFileSize
    {
        get => _azCopyMinFileSize;
        set => _azCopyMinFileSize = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AzCopyMinFileSize), value, "AzCopyMinFileSize must not be negative.");
    }

    /// <summary>
    /// Under <see cref="AzFuseTransferEngine.Auto"/>, a batch (Prepare, or an
    /// <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> batch) of at least this many files of one container
    /// goes through one azcopy job instead of parallel HTTP requests. Default 10,000: the largest
    /// batch measured, where parallel HTTP was still 2.4-3 times faster on loopback (see the
    /// README). At least 2.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 2.</exception>
    public int AzCopyMinBatchCount
    {
        get => _azCopyMinBatchCount;
        set => _azCopyMinBatchCount = value >= 2
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AzCopyMinBatchCount), value, "AzCopyMinBatchCount must be at least 2.");
    }

    /// <summary>How many HTTP transfers or requests run at once in a batch. Default 16; between 1 and 256.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 256.</exception>
    public int HttpParallelism
    {
        get => _httpParallelism;
        set => _httpParallelism = value is >= 1 and <= 256
            ? value
            : throw new ArgumentOutOfRangeException(nameof(HttpParallelism), value, "HttpParallelism must be between 1 and 256.");
    }

    /// <summary>
    /// For mappings without <c>revalidate_after</c>: how old the record of a cached file may get
    /// before an Open checks the blob's ETag with one HEAD request (and downloads the file again if
    /// it changed). Default <see langword="null"/>: never check, as the Python tool; a cached file
    /// then stays as it was until <see cref="AzFuseClient.ClearCache"/>. <see cref="TimeSpan.Zero"/>
    /// checks on every Open of a cached file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan? RevalidateAfter
    {
        get => _revalidateAfter;
        set => _revalidateAfter = value is null || value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RevalidateAfter), value, "RevalidateAfter must not be negative.");
    }

    /// <summary>
    /// For cache folders whose mappings set no <c>max_cache_size</c>: the most bytes of cached
    /// files the folder may hold. When a download would go past it, the least recently opened
    /// files are removed first, down to 90% of the limit. Default <see langword="null"/>: unlimited,
    /// as the Python tool.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public long? MaxCacheSize
    {
        get => _maxCacheSize;
        set => _maxCacheSize = value is null || value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxCacheSize), value, "MaxCacheSize must be positive.");
    }

    /// <summary>
    /// Whether disposing a write stream without <see cref="AzFuseWriteStream.Commit"/> discards the
    /// write (nothing uploaded, the blob and the cached copy as they were) instead of uploading it.
    /// Default <see langword="false"/>: Dispose commits, as closing a <see cref="FileStream"/> keeps
    /// what was written. <see cref="OpenOptions.RequireCommit"/> overrides it per Open.
    /// </summary>
    public bool RequireCommit { get; set; }

    /// <summary>
    /// Where <c>AsyncUpload(shmAsTmp: true)</c> stages written files until they are uploaded.
    /// Default <c>/dev/shm</c>. When the folder does not exist, files are staged in the cache
    /// instead and a warning is logged.
    /// </summary>
    public string SharedMemoryFolder
    {
        get => _sharedMemoryFolder;
        set => _sharedMemoryFolder = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("SharedMemoryFolder must not be empty.", nameof(SharedMemoryFolder)) : value;
    }

    /// <summary>
    /// When the process is told to stop (SIGTERM, as a spot VM's eviction sends about 30 s before it
    /// kills; SIGINT) or ends normally with uploads still queued in an AsyncUpload scope, how long it
    /// may spend uploading them before it ends as it would have. What is not uploaded by then is
    /// logged by name and stays recorded. Default 25 seconds (room within a 30 s eviction notice);
    /// zero turns the drain off; at most 1 hour.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 1 hour.</exception>
    public TimeSpan ShutdownUploadDeadline
    {
        get => _shutdownUploadDeadline;
        set => _shutdownUploadDeadline = value >= TimeSpan.Zero && value <= TimeSpan.FromHours(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ShutdownUploadDeadline), value, "ShutdownUploadDeadline must be between zero and 1 hour.");
    }

    /// <summary>
    /// How many bytes written in AsyncUpload scopes may wait for upload at once. A writer that gets
    /// ahead of the uploads by more than this waits in Dispose (awaits in DisposeAsync or
    /// CommitAsync, which its token can cancel) until uploads make room, so that a fast writer
    /// cannot fill the disk or <c>/dev/shm</c>. Default 1 GiB; at least 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 1 MiB.</exception>
    public long MaxPendingUploadBytes
    {
        get => _maxPendingUploadBytes;
        set => _maxPendingUploadBytes = value >= 1L << 20
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxPendingUploadBytes), value, "MaxPendingUploadBytes must be at least 1 MiB.");
    }

    /// <summary>
    /// Where the client publishes its live counters for <c>azfuse stats</c> (and
    /// <see cref="AzFuseClient.GetLiveStats"/>) in other processes: one small file per client,
    /// rewritten every 2 seconds while the numbers change, deleted when the process exits.
    /// Default a private folder per user under the temporary folder (<c>/tmp/azfuse-stats-USER</c>);
    /// <see langword="null"/> publishes nothing. Environment: <c>AZFUSE_STATS_FOLDER</c> (<c>none</c> for null).
    /// </summary>
    public string? StatsFolder { get; set; } = DefaultStatsFolder;

    /// <summary>The clock used for SAS expiry and lock timeouts. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(TimeProvider));
    }

    /// <summary>Extra environment variables for azcopy runs, such as <c>SSL_CERT_FILE</c> (tests of a private certificate).</summary>
    internal IDictionary<string, string> AzCopyEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal const string DefaultStorageAccountFolder = "./aux_data/storage_account";

    internal static string DefaultStatsFolder { get; } = Path.Combine(Path.GetTempPath(), "azfuse-stats-" + Environment.UserName);

    /// <summary>
    /// Reads the options from the environment variables named on each property, as the Python tool
    /// reads them: each <c>AZFUSE_NAME</c> may also be given as <c>QD_NAME</c>, which is read first.
    /// With <c>AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION=1</c>, <c>AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX</c>
    /// (default 0.5) sets <see cref="MaxCacheDiskFraction"/> when below 1, else <see cref="MaxCacheSize"/> in bytes.
    /// </summary>
    /// <returns>The options.</returns>
    /// <exception cref="AzFuseConfigurationException">A variable has a value that cannot be read; the message names it.</exception>
    public static AzFuseOptions FromEnvironment() => FromVariables(EnvironmentSettings.Process);

    internal static AzFuseOptions FromVariables(EnvironmentSettings environment)
    {
        var enabled = environment.UseFuse();

        // Read only when on, as the Python tool does: a disabled run never fails on these.
        var (collectBytes, collectFraction) = enabled ? environment.CollectionLimit() : (null, null);
        return new AzFuseOptions
        {
            Enabled = enabled,
            MappingFile = environment.Get("CLOUD_FUSE_CONFIG_FILE").Value,
            StorageAccountFolder = environment.Get("STORAGE_ACCOUNT_CONFIG_FOLDER").Value ?? DefaultStorageAccountFolder,
            AzCopyPath = environment.Get("AZCOPY_PATH").Value,
            TransferEngine = ParseEngine(environment.Get("TRANSFER_ENGINE").Value),
            MaxCacheSize = collectBytes,
            MaxCacheDiskFraction = collectFraction,
            StatsFolder = environment.Get("STATS_FOLDER").Value switch
            {
                null => DefaultStatsFolder,
                var folder when string.Equals(folder.Trim(), "none", StringComparison.OrdinalIgnoreCase) => null,
                var folder => folder,
            },
        };
    }

    internal static AzFuseTransferEngine ParseEngine(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => AzFuseTransferEngine.Auto,
        "azcopy" => AzFuseTransferEngine.AzCopy,
        "http" => AzFuseTransferEngine.Http,
        _ => throw Diagnostics.Errors.TransferEngineInvalid(value),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    // ----- python parity -------------------------------------------------------------------

    /// <summary>
    /// The mapping file read when <see cref="MappingFile"/> is not set (and no <see cref="Mappings"/>
    /// are given): <c>aux_data/configs/azfuse.yaml</c>, relative to the current directory, as the Python tool.
    /// </summary>
    public const string DefaultMappingFile = "aux_data/configs/azfuse.yaml";

    private double? _maxCacheDiskFraction;
    private long? _minFreeDiskSpace;

    /// <summary>
    /// The mappings, given in code instead of a mapping file (the Python tool's
    /// <c>File.ensure_initialized(config=[...])</c>). Default empty: the mappings come from
    /// <see cref="MappingFile"/>. When it lists any, they are used and no mapping file is read.
    /// </summary>
    public IList<AzFuseMapping> Mappings { get; } = new List<AzFuseMapping>();

    /// <summary>
    /// For cache folders whose mappings set no <c>max_cache_size</c> and when <see cref="MaxCacheSize"/>
    /// is not set: the limit as a fraction of the size of the disk (file system) that holds the
    /// folder, as the Python tool's <c>AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX=0.5</c>. Default
    /// <see langword="null"/>: unlimited. Above 0, at most 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not above 0 and at most 1.</exception>
    public double? MaxCacheDiskFraction
    {
        get => _maxCacheDiskFraction;
        set => _maxCacheDiskFraction = value is null || (value > 0 && value <= 1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxCacheDiskFraction), value, "MaxCacheDiskFraction must be above 0 and at most 1.");
    }

    /// <summary>
    /// For cache folders whose mappings set no <c>min_free_space</c>: the bytes a download leaves
    /// free on the disk that holds the folder. When a download would leave less, the least recently
    /// opened files are removed first, as for <see cref="MaxCacheSize"/>. Default <see langword="null"/>: no target.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public long? MinFreeDiskSpace
    {
        get => _minFreeDiskSpace;
        set => _minFreeDiskSpace = value is null || value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinFreeDiskSpace), value, "MinFreeDiskSpace must be positive.");
    }
}
