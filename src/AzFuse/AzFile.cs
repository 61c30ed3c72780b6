using System.Text;
using Microsoft.Extensions.Logging;

namespace AzFuse;

/// <summary>
/// The static entry point: <c>using var s = AzFile.Open("data/abc.txt", FileMode.Open);</c>.
/// Every member forwards to <see cref="Default"/>, an <see cref="AzFuseClient"/> built from the
/// environment on first use; see that class for the behaviour.
/// </summary>
public static class AzFile
{
    private static AzFuseClient? s_default;

    /// <summary>
    /// The client every member uses. Built from the environment on first use, silent (no logging);
    /// replace it to configure AzFuse in code.
    /// </summary>
    public static AzFuseClient Default
    {
        get => Volatile.Read(ref s_default) ?? InitializeDefault();
        set => Volatile.Write(ref s_default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Sends the default client's log events to <paramref name="loggerFactory"/> (rebuilding it from the environment).</summary>
    /// <param name="loggerFactory">The logger factory to use.</param>
    public static void UseLoggerFactory(ILoggerFactory loggerFactory) => Default = AzFuseClient.FromEnvironment(loggerFactory);

    /// <inheritdoc cref="AzFuseClient.Open(string, FileMode)"/>
    public static Stream Open(string path, FileMode mode) => Default.Open(path, mode);

    /// <inheritdoc cref="AzFuseClient.Open(string, FileMode, FileAccess)"/>
    public static Stream Open(string path, FileMode mode, FileAccess access) => Default.Open(path, mode, access);

    /// <inheritdoc cref="AzFuseClient.OpenAsync(string, FileMode, CancellationToken)"/>
    public static ValueTask<Stream> OpenAsync(string path, FileMode mode, CancellationToken cancellationToken = default) => Default.OpenAsync(path, mode, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Open(string, FileMode, OpenOptions)"/>
    public static Stream Open(string path, FileMode mode, OpenOptions options) => Default.Open(path, mode, options);

    /// <inheritdoc cref="AzFuseClient.OpenAsync(string, FileMode, OpenOptions, CancellationToken)"/>
    public static ValueTask<Stream> OpenAsync(string path, FileMode mode, OpenOptions options, CancellationToken cancellationToken = default) => Default.OpenAsync(path, mode, options, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.OpenAsync(string, FileMode, FileAccess, CancellationToken)"/>
    public static ValueTask<Stream> OpenAsync(string path, FileMode mode, FileAccess access, CancellationToken cancellationToken = default) => Default.OpenAsync(path, mode, access, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.OpenWrite"/>
    public static AzFuseWriteStream OpenWrite(string path, FileMode mode = FileMode.Create, OpenOptions? options = null) => Default.OpenWrite(path, mode, options);

    /// <inheritdoc cref="AzFuseClient.OpenWriteAsync"/>
    public static ValueTask<AzFuseWriteStream> OpenWriteAsync(string path, FileMode mode = FileMode.Create, OpenOptions? options = null, CancellationToken cancellationToken = default) => Default.OpenWriteAsync(path, mode, options, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Write(string, Action{Stream})"/>
    public static void Write(string path, Action<Stream> write) => Default.Write(path, write);

    /// <inheritdoc cref="AzFuseClient.WriteAsync(string, Func{Stream, CancellationToken, Task}, CancellationToken)"/>
    public static Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) => Default.WriteAsync(path, write, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Prepare(IEnumerable{string})"/>
    public static void Prepare(IEnumerable<string> paths) => Default.Prepare(paths);

    /// <inheritdoc cref="AzFuseClient.PrepareAsync(IEnumerable{string}, CancellationToken)"/>
    public static Task PrepareAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) => Default.PrepareAsync(paths, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.PrepareInBackground"/>
    public static PrefetchOperation PrepareInBackground(IEnumerable<string> paths, IProgress<TransferProgress>? progress = null) => Default.PrepareInBackground(paths, progress);

    /// <inheritdoc cref="AzFuseClient.FlushUploads"/>
    public static UploadFlushResult FlushUploads(TimeSpan deadline) => Default.FlushUploads(deadline);

    /// <inheritdoc cref="AzFuseClient.FlushUploadsAsync"/>
    public static Task<UploadFlushResult> FlushUploadsAsync(TimeSpan deadline, CancellationToken cancellationToken = default) => Default.FlushUploadsAsync(deadline, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.BeginCommit"/>
    public static CommitScope BeginCommit(string folder, CommitOptions? options = null) => Default.BeginCommit(folder, options);

    /// <inheritdoc cref="AzFuseClient.GetLatestCommit"/>
    public static CommittedFolder? GetLatestCommit(string folder) => Default.GetLatestCommit(folder);

    /// <inheritdoc cref="AzFuseClient.GetLatestCommitAsync"/>
    public static Task<CommittedFolder?> GetLatestCommitAsync(string folder, CancellationToken cancellationToken = default) => Default.GetLatestCommitAsync(folder, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.AsyncUpload(bool, bool)"/>
    public static AsyncUploadScope AsyncUpload(bool enabled = true, bool shmAsTmp = false) => Default.AsyncUpload(enabled, shmAsTmp);

    /// <inheritdoc cref="AzFuseClient.Prepare(IEnumerable{string}, IProgress{TransferProgress})"/>
    public static void Prepare(IEnumerable<string> paths, IProgress<TransferProgress>? progress) => Default.Prepare(paths, progress);

    /// <inheritdoc cref="AzFuseClient.PrepareAsync(IEnumerable{string}, IProgress{TransferProgress}, CancellationToken)"/>
    public static Task PrepareAsync(IEnumerable<string> paths, IProgress<TransferProgress>? progress, CancellationToken cancellationToken = default) => Default.PrepareAsync(paths, progress, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.AsyncUpload(IProgress{TransferProgress}, bool)"/>
    public static AsyncUploadScope AsyncUpload(IProgress<TransferProgress> progress, bool shmAsTmp = false) => Default.AsyncUpload(progress, shmAsTmp);

    /// <inheritdoc cref="AzFuseClient.ResumePendingUploads"/>
    public static int ResumePendingUploads() => Default.ResumePendingUploads();

    /// <inheritdoc cref="AzFuseClient.ResumePendingUploadsAsync(CancellationToken)"/>
    public static Task<int> ResumePendingUploadsAsync(CancellationToken cancellationToken = default) => Default.ResumePendingUploadsAsync(cancellationToken);

    /// <inheritdoc cref="AzFuseClient.ReadAllText(string)"/>
    public static string ReadAllText(string path) => Default.ReadAllText(path);

    /// <inheritdoc cref="AzFuseClient.ReadAllText(string, Encoding)"/>
    public static string ReadAllText(string path, Encoding encoding) => Default.ReadAllText(path, encoding);

    /// <inheritdoc cref="AzFuseClient.ReadAllTextAsync(string, CancellationToken)"/>
    public static Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default) => Default.ReadAllTextAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.ReadAllBytes(string)"/>
    public static byte[] ReadAllBytes(string path) => Default.ReadAllBytes(path);

    /// <inheritdoc cref="AzFuseClient.ReadAllBytesAsync(string, CancellationToken)"/>
    public static Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) => Default.ReadAllBytesAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.WriteAllText(string, string?)"/>
    public static void WriteAllText(string path, string? contents) => Default.WriteAllText(path, contents);

    /// <inheritdoc cref="AzFuseClient.WriteAllText(string, string?, Encoding)"/>
    public static void WriteAllText(string path, string? contents, Encoding encoding) => Default.WriteAllText(path, contents, encoding);

    /// <inheritdoc cref="AzFuseClient.WriteAllTextAsync(string, string?, CancellationToken)"/>
    public static Task WriteAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) => Default.WriteAllTextAsync(path, contents, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.WriteAllBytes(string, byte[])"/>
    public static void WriteAllBytes(string path, byte[] bytes) => Default.WriteAllBytes(path, bytes);

    /// <inheritdoc cref="AzFuseClient.WriteAllBytesAsync(string, byte[], CancellationToken)"/>
    public static Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) => Default.WriteAllBytesAsync(path, bytes, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Exists(string)"/>
    public static bool Exists(string path) => Default.Exists(path);

    /// <inheritdoc cref="AzFuseClient.ExistsAsync(string, CancellationToken)"/>
    public static Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Default.ExistsAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.GetLength(string)"/>
    public static long GetLength(string path) => Default.GetLength(path);

    /// <inheritdoc cref="AzFuseClient.GetLengthAsync(string, CancellationToken)"/>
    public static Task<long> GetLengthAsync(string path, CancellationToken cancellationToken = default) => Default.GetLengthAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.List(string, bool)"/>
    public static IEnumerable<string> List(string prefix, bool recursive = false) => Default.List(prefix, recursive);

    /// <inheritdoc cref="AzFuseClient.ListAsync(string, bool, CancellationToken)"/>
    public static IAsyncEnumerable<string> ListAsync(string prefix, bool recursive = false, CancellationToken cancellationToken = default) => Default.ListAsync(prefix, recursive, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.ListEntries(string, bool)"/>
    public static IEnumerable<FileEntry> ListEntries(string prefix, bool recursive = false) => Default.ListEntries(prefix, recursive);

    /// <inheritdoc cref="AzFuseClient.ListEntriesAsync(string, bool, CancellationToken)"/>
    public static IAsyncEnumerable<FileEntry> ListEntriesAsync(string prefix, bool recursive = false, CancellationToken cancellationToken = default) => Default.ListEntriesAsync(prefix, recursive, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Delete(string)"/>
    public static void Delete(string path) => Default.Delete(path);

    /// <inheritdoc cref="AzFuseClient.DeleteAsync(string, CancellationToken)"/>
    public static Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Default.DeleteAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.GetUrl(string, TimeSpan?)"/>
    public static Uri GetUrl(string path, TimeSpan? expiry = null) => Default.GetUrl(path, expiry);

    /// <inheritdoc cref="AzFuseClient.GetUrlAsync(string, TimeSpan?, CancellationToken)"/>
    public static Task<Uri> GetUrlAsync(string path, TimeSpan? expiry = null, CancellationToken cancellationToken = default) => Default.GetUrlAsync(path, expiry, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.ClearCache(string)"/>
    public static void ClearCache(string path) => Default.ClearCache(path);

    /// <inheritdoc cref="AzFuseClient.GetCacheStats"/>
    public static CacheStats GetCacheStats() => Default.GetCacheStats();

    /// <inheritdoc cref="AzFuseClient.GetUsage"/>
    public static AzFuseUsage GetUsage() => Default.GetUsage();

    /// <inheritdoc cref="AzFuseClient.GetLiveStats"/>
    public static IReadOnlyList<ProcessStats> GetLiveStats() => Default.GetLiveStats();

    // ----- large files

    /// <inheritdoc cref="AzFuseClient.ReadRange(string, long, Memory{byte})"/>
    public static int ReadRange(string path, long offset, Memory<byte> buffer) => Default.ReadRange(path, offset, buffer);

    /// <inheritdoc cref="AzFuseClient.ReadRangeAsync(string, long, Memory{byte}, CancellationToken)"/>
    public static ValueTask<int> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) => Default.ReadRangeAsync(path, offset, buffer, cancellationToken);

    // ----- python parity: local paths, uploads of local files, properties, leases, copies ----

    /// <inheritdoc cref="AzFuseClient.GetLocalFile"/>
    public static AzFuseLocalFile GetLocalFile(string path, FileAccess access = FileAccess.Read, OpenOptions? options = null) => Default.GetLocalFile(path, access, options);

    /// <inheritdoc cref="AzFuseClient.GetLocalFileAsync"/>
    public static ValueTask<AzFuseLocalFile> GetLocalFileAsync(string path, FileAccess access = FileAccess.Read, OpenOptions? options = null, CancellationToken cancellationToken = default) => Default.GetLocalFileAsync(path, access, options, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.IsCached"/>
    public static bool IsCached(string path) => Default.IsCached(path);

    /// <inheritdoc cref="AzFuseClient.Upload"/>
    public static void Upload(string localPath, string path, bool deleteSource = false) => Default.Upload(localPath, path, deleteSource);

    /// <inheritdoc cref="AzFuseClient.UploadAsync"/>
    public static Task UploadAsync(string localPath, string path, bool deleteSource = false, CancellationToken cancellationToken = default) => Default.UploadAsync(localPath, path, deleteSource, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.UploadDirectory"/>
    public static UploadDirectoryResult UploadDirectory(string localDirectory, string logicalDirectory, UploadDirectoryOptions? options = null) => Default.UploadDirectory(localDirectory, logicalDirectory, options);

    /// <inheritdoc cref="AzFuseClient.UploadDirectoryAsync"/>
    public static Task<UploadDirectoryResult> UploadDirectoryAsync(string localDirectory, string logicalDirectory, UploadDirectoryOptions? options = null, CancellationToken cancellationToken = default) => Default.UploadDirectoryAsync(localDirectory, logicalDirectory, options, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.GetProperties"/>
    public static FileProperties GetProperties(string path) => Default.GetProperties(path);

    /// <inheritdoc cref="AzFuseClient.GetPropertiesAsync"/>
    public static Task<FileProperties> GetPropertiesAsync(string path, CancellationToken cancellationToken = default) => Default.GetPropertiesAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.SetMetadata"/>
    public static void SetMetadata(string path, IDictionary<string, string> metadata) => Default.SetMetadata(path, metadata);

    /// <inheritdoc cref="AzFuseClient.SetMetadataAsync"/>
    public static Task SetMetadataAsync(string path, IDictionary<string, string> metadata, CancellationToken cancellationToken = default) => Default.SetMetadataAsync(path, metadata, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.SetAccessTier"/>
    public static void SetAccessTier(string path, AzFuseAccessTier tier) => Default.SetAccessTier(path, tier);

    /// <inheritdoc cref="AzFuseClient.SetAccessTierAsync"/>
    public static Task SetAccessTierAsync(string path, AzFuseAccessTier tier, CancellationToken cancellationToken = default) => Default.SetAccessTierAsync(path, tier, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.AcquireLease"/>
    public static AzFuseLease AcquireLease(string path, TimeSpan? duration = null, TimeSpan? timeout = null) => Default.AcquireLease(path, duration, timeout);

    /// <inheritdoc cref="AzFuseClient.AcquireLeaseAsync"/>
    public static Task<AzFuseLease> AcquireLeaseAsync(string path, TimeSpan? duration = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => Default.AcquireLeaseAsync(path, duration, timeout, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.BreakLease"/>
    public static void BreakLease(string path) => Default.BreakLease(path);

    /// <inheritdoc cref="AzFuseClient.BreakLeaseAsync"/>
    public static Task BreakLeaseAsync(string path, CancellationToken cancellationToken = default) => Default.BreakLeaseAsync(path, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Copy(string, string)"/>
    public static void Copy(string sourcePath, string destinationPath) => Default.Copy(sourcePath, destinationPath);

    /// <inheritdoc cref="AzFuseClient.CopyAsync(string, string, CancellationToken)"/>
    public static Task CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken = default) => Default.CopyAsync(sourcePath, destinationPath, cancellationToken);

    private static AzFuseClient InitializeDefault()
    {
        Interlocked.CompareExchange(ref s_default, AzFuseClient.FromEnvironment(), null);
        return s_default!;
    }
}
