using Microsoft.Extensions.Logging;

namespace AzFuse.Diagnostics;

/// <summary>
/// Every log event of the library, with fixed event ids so that they can be filtered reliably.
/// No message contains a SAS, a key or a signed URL.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Cache hit for {LogicalPath}")]
    public static partial void CacheHit(ILogger logger, string logicalPath);

    [LoggerMessage(2, LogLevel.Debug, "Cache miss for {LogicalPath}")]
    public static partial void CacheMiss(ILogger logger, string logicalPath);

    [LoggerMessage(3, LogLevel.Information, "Downloaded {LogicalPath} ({Bytes} bytes) in {ElapsedMs} ms")]
    public static partial void Downloaded(ILogger logger, string logicalPath, long bytes, long elapsedMs);

    [LoggerMessage(4, LogLevel.Debug, "{LogicalPath} was filled by another process while this one waited")]
    public static partial void FilledByAnother(ILogger logger, string logicalPath);

    [LoggerMessage(5, LogLevel.Debug, "Prepare of {Requested} path(s): {Missing} not cached")]
    public static partial void PrepareStarted(ILogger logger, int requested, int missing);

    [LoggerMessage(6, LogLevel.Information, "Downloaded {Count} file(s) from container {Container} in one azcopy job ({Bytes} bytes)")]
    public static partial void BatchDownloaded(ILogger logger, int count, string container, long bytes);

    [LoggerMessage(7, LogLevel.Debug, "Started azcopy (process {ProcessId}): {Arguments}")]
    public static partial void AzCopyStarted(ILogger logger, int processId, string arguments);

    [LoggerMessage(8, LogLevel.Debug, "azcopy (process {ProcessId}) exited with code {ExitCode} after {ElapsedMs} ms")]
    public static partial void AzCopyExited(ILogger logger, int processId, int exitCode, long elapsedMs);

    [LoggerMessage(9, LogLevel.Debug, "{Count} path(s) passed to Prepare are outside every mapping and were ignored")]
    public static partial void UnmappedIgnored(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Information, "Cleared the cache copy of {LogicalPath}")]
    public static partial void CacheCleared(ILogger logger, string logicalPath);

    [LoggerMessage(11, LogLevel.Information, "Uploaded {LogicalPath} ({Bytes} bytes) in {ElapsedMs} ms")]
    public static partial void Uploaded(ILogger logger, string logicalPath, long bytes, long elapsedMs);

    [LoggerMessage(12, LogLevel.Information, "Uploaded {Count} file(s) to container {Container} in one azcopy job in {ElapsedMs} ms")]
    public static partial void BatchUploaded(ILogger logger, int count, string container, long elapsedMs);

    [LoggerMessage(13, LogLevel.Warning, "Attempt {Attempt} failed, trying again in {DelayMs} ms: {Reason}")]
    public static partial void Retrying(ILogger logger, int attempt, long delayMs, string reason);

    [LoggerMessage(14, LogLevel.Error, "The upload of {LogicalPath} failed; its content and pending-upload record are kept")]
    public static partial void UploadFailed(ILogger logger, string logicalPath, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "The background uploader failed unexpectedly")]
    public static partial void UploadLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "{Folder} does not exist, so AsyncUpload(shmAsTmp: true) stages written files in the cache instead")]
    public static partial void SharedMemoryUnavailable(ILogger logger, string folder);

    [LoggerMessage(17, LogLevel.Information, "Resuming {Count} upload(s) left pending by an earlier run under {CacheRoot}")]
    public static partial void ResumingUploads(ILogger logger, int count, string cacheRoot);

    [LoggerMessage(18, LogLevel.Warning, "ClearCache kept {CachePath}: its content has not been uploaded yet, or another process is filling it")]
    public static partial void PendingKept(ILogger logger, string cachePath);

    [LoggerMessage(19, LogLevel.Warning, "Resuming the uploads left pending by an earlier run failed")]
    public static partial void ResumeFailed(ILogger logger, Exception exception);

    [LoggerMessage(20, LogLevel.Warning, "Transfers go over HTTP only, which can be slower for large files and large batches: {Reason}")]
    public static partial void AzCopyMissing(ILogger logger, string reason);

    [LoggerMessage(21, LogLevel.Information, "Downloaded {Count} file(s) from container {Container} over HTTP in {ElapsedMs} ms")]
    public static partial void HttpBatchDownloaded(ILogger logger, int count, string container, long elapsedMs);

    [LoggerMessage(22, LogLevel.Information, "Deleted {LogicalPath} (remote blob and cached copy)")]
    public static partial void Deleted(ILogger logger, string logicalPath);

    [LoggerMessage(23, LogLevel.Information, "Evicted {Count} least recently opened file(s) from {CacheRoot}, which now holds {Bytes} bytes")]
    public static partial void Evicted(ILogger logger, int count, string cacheRoot, long bytes);

    [LoggerMessage(24, LogLevel.Warning, "{CacheRoot} will hold {Bytes} bytes, over its max_cache_size of {Limit}: the other files are open, being filled, or not uploaded yet")]
    public static partial void CacheOverLimit(ILogger logger, string cacheRoot, long bytes, long limit);

    [LoggerMessage(25, LogLevel.Debug, "Revalidated {LogicalPath}: the blob is unchanged")]
    public static partial void StillCurrent(ILogger logger, string logicalPath);

    [LoggerMessage(26, LogLevel.Information, "{LogicalPath} changed remotely; downloading it again")]
    public static partial void ChangedRemotely(ILogger logger, string logicalPath);

    [LoggerMessage(27, LogLevel.Information, "{LogicalPath} was deleted remotely; its cached copy is removed")]
    public static partial void DeletedRemotely(ILogger logger, string logicalPath);

    [LoggerMessage(28, LogLevel.Warning, "Unknown key '{Key}' in {Path}:{Line} is ignored (misspelt?); the keys read there are: {Known}")]
    public static partial void UnknownYamlKey(ILogger logger, string key, string path, int line, string known);

    [LoggerMessage(29, LogLevel.Information, "{Path} changed on disk; its new credentials are used from now on")]
    public static partial void AccountReloaded(ILogger logger, string path);

    [LoggerMessage(30, LogLevel.Warning, "{Path} changed on disk but cannot be read now, so the credentials loaded before are kept: {Reason}")]
    public static partial void AccountReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(31, LogLevel.Debug, "Got a user-delegation key for {Account}, valid until {Expiry}")]
    public static partial void UserDelegationKey(ILogger logger, string account, DateTimeOffset expiry);

    [LoggerMessage(32, LogLevel.Information, "{Credential} for {Path} could not sign in: {Reason}")]
    public static partial void SignInFailed(ILogger logger, string credential, string path, string reason);

    [LoggerMessage(33, LogLevel.Information, "Access to {Path} was denied; it changed on disk, so the request is tried once more with its new credentials")]
    public static partial void RetryingWithNewCredentials(ILogger logger, string path);

    // ----- data safety (events 40-59) ----------------------------------------------------

    [LoggerMessage(40, LogLevel.Debug, "Downloading {LogicalPath} into the cache")]
    public static partial void DownloadStarted(ILogger logger, string logicalPath);

    [LoggerMessage(41, LogLevel.Warning, "ClearCache left {CachePath} alone: it is a symbolic link or lies in a linked folder, and AzFuse never deletes through a link")]
    public static partial void ClearSkippedLink(ILogger logger, string cachePath);

    [LoggerMessage(42, LogLevel.Warning, "{Folder} is not used for staging because {Reason}; AsyncUpload(shmAsTmp: true) stages written files in the cache instead. Remove that folder (AzFuse creates it again, private) to use shared memory")]
    public static partial void SharedMemoryRefused(ILogger logger, string folder, string reason);

    [LoggerMessage(43, LogLevel.Debug, "The write of {LogicalPath} was discarded: nothing was uploaded")]
    public static partial void WriteDiscarded(ILogger logger, string logicalPath);

    [LoggerMessage(44, LogLevel.Warning, "The write of {LogicalPath} was discarded, not uploaded, because a write to its stream failed")]
    public static partial void WriteFailedAndDiscarded(ILogger logger, string logicalPath, Exception exception);

    [LoggerMessage(45, LogLevel.Debug, "{LogicalPath} was closed with the content it was opened with: nothing to upload")]
    public static partial void WriteUnchanged(ILogger logger, string logicalPath);

    [LoggerMessage(46, LogLevel.Warning, "Skipped line {Line} of the upload journal {Journal}: {Reason}. The other records are resumed. The line: {Text}")]
    public static partial void JournalLineSkipped(ILogger logger, string journal, int line, string reason, string text);

    // ----- large files (events 60-79) ----------------------------------------------------

    [LoggerMessage(60, LogLevel.Debug, "Downloading {Blob} as {Ranges} range(s) of up to {RangeSize} bytes, {InFlight} at a time")]
    public static partial void RangedDownload(ILogger logger, string blob, int ranges, long rangeSize, int inFlight);

    [LoggerMessage(61, LogLevel.Information, "Resuming the download of {Blob}: {Done} of its {Ranges} ranges were already on disk")]
    public static partial void DownloadResumed(ILogger logger, string blob, int done, int ranges);

    [LoggerMessage(62, LogLevel.Information, "{Blob} changed while it was being downloaded; downloading the new version from the start")]
    public static partial void DownloadRestarted(ILogger logger, string blob);

    [LoggerMessage(63, LogLevel.Debug, "Uploading {Blob} as {Blocks} block(s) of up to {BlockSize} bytes, {InFlight} at a time; {Staged} were staged already")]
    public static partial void BlockUpload(ILogger logger, string blob, int blocks, long blockSize, int inFlight, int staged);

    [LoggerMessage(64, LogLevel.Information, "Kept the partial download of {LogicalPath} ({Path}) to resume it: {Reason}")]
    public static partial void PartialKept(ILogger logger, string logicalPath, string path, string reason);

    [LoggerMessage(65, LogLevel.Debug, "Streaming {LogicalPath}: {Length} bytes in blocks of {BlockSize}")]
    public static partial void Streaming(ILogger logger, string logicalPath, long length, long blockSize);

    [LoggerMessage(66, LogLevel.Debug, "Read {Count} bytes at {Offset} of {LogicalPath} from the blob (not cached)")]
    public static partial void RangeReadRemote(ILogger logger, string logicalPath, long offset, int count);

    [LoggerMessage(67, LogLevel.Debug, "Downloaded {Blob} with up to {InFlight} of {Limit} range(s) in flight")]
    public static partial void RangesInFlight(ILogger logger, string blob, int inFlight, int limit);

    // ----- training jobs (events 100-119) ------------------------------------------------

    [LoggerMessage(100, LogLevel.Debug, "Prepare: {Waiting} of {Count} file(s) were being fetched by another thread or process; waiting for those")]
    public static partial void WaitingForClaims(ILogger logger, int waiting, int count);

    [LoggerMessage(101, LogLevel.Warning, "{Reason}: uploading what is still queued before the process ends (at most {Deadline})")]
    public static partial void ShutdownDraining(ILogger logger, string reason, TimeSpan deadline);

    [LoggerMessage(102, LogLevel.Error, "{LogicalPath} was not uploaded before the process ended; its content and pending-upload record stay, for ResumePendingUploads on this machine")]
    public static partial void NotUploadedAtShutdown(ILogger logger, string logicalPath);

    [LoggerMessage(103, LogLevel.Warning, "Uploaded {Uploaded} file(s) at shutdown in {ElapsedMs} ms; {NotUploaded} not uploaded")]
    public static partial void ShutdownDrained(ILogger logger, int uploaded, int notUploaded, long elapsedMs);

    [LoggerMessage(104, LogLevel.Information, "Shared memory under {Folder} is full: the write of {LogicalPath} is staged on the cache folder's disk instead")]
    public static partial void SharedMemoryFullMovedToDisk(ILogger logger, string logicalPath, string folder);

    [LoggerMessage(105, LogLevel.Information, "Rank {Rank} of {WorldSize} wrote its part of {Folder} ({Files} file(s)); {Missing} part(s) still to come, and the last rank to write one commits the folder")]
    public static partial void CommitPartWritten(ILogger logger, int rank, int worldSize, string folder, int files, int missing);

    [LoggerMessage(106, LogLevel.Information, "Committed {Folder}: {Files} file(s), {Bytes} bytes, from {WorldSize} rank(s)")]
    public static partial void Committed(ILogger logger, string folder, int files, long bytes, int worldSize);

    [LoggerMessage(107, LogLevel.Warning, "{Folder} is not taken as committed: {Reason}")]
    public static partial void CommitNotTaken(ILogger logger, string folder, string reason);

    [LoggerMessage(108, LogLevel.Information, "Deleted the committed folder {Folder}: it is older than the newest {KeepLast}")]
    public static partial void CommitPruned(ILogger logger, string folder, int keepLast);

    [LoggerMessage(109, LogLevel.Warning, "Kept {LogicalPath} while deleting the older committed folder {Folder}")]
    public static partial void PruneSkippedFile(ILogger logger, string logicalPath, string folder, Exception exception);

    // Issue 17 (hot paths): 150–159.
    [LoggerMessage(150, LogLevel.Warning, "The machine restarted while cache fills under {CacheRoot} were not yet flushed to disk: removed {Removed} cache file(s) created since {Since:u}, to be fetched again when next opened")]
    public static partial void RecoveredUnsyncedFills(ILogger logger, string cacheRoot, int removed, DateTimeOffset since);

    [LoggerMessage(151, LogLevel.Debug, "Cache fills under {CacheRoot} are flushed to disk one by one: {Reason}")]
    public static partial void FillsFlushedEach(ILogger logger, string cacheRoot, string reason);

    [LoggerMessage(152, LogLevel.Warning, "The machine restarted while small writes under {CacheRoot} were waiting for their uploads: {Restored} file(s) were written back from the upload journal, to be uploaded as before")]
    public static partial void RestoredWrittenContent(ILogger logger, string cacheRoot, int restored);

    [LoggerMessage(153, LogLevel.Debug, "No spare file could be made ahead in {Folder} (writes create their own): {Reason}")]
    public static partial void SpareFileNotMade(ILogger logger, string folder, string reason);
}
