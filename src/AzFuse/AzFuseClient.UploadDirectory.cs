using AzFuse.Diagnostics;
using AzFuse.Upload;

namespace AzFuse;

/// <content>Resumable uploads of local folders (what <c>azfuse upload</c> does).</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Uploads every file under a local folder to a logical folder, resumably: a file whose blob
    /// already has the same length and stored MD5 is skipped, so the same call after an interruption
    /// (even <c>kill -9</c>) uploads only what is missing or different. Files go through the write
    /// path, <see cref="UploadDirectoryOptions.BatchSize"/> at a time in an
    /// <see cref="AsyncUpload(IProgress{TransferProgress}, bool)"/> scope confirmed before the next, so an
    /// interruption loses at most a batch, and those writes stay journaled for
    /// <see cref="ResumePendingUploads"/>. The MD5s of local files are kept in a state folder, so a
    /// restart does not read again what it already hashed.
    /// </summary>
    /// <param name="localDirectory">The local folder (everything under it).</param>
    /// <param name="logicalDirectory">The logical folder it becomes, such as <c>data/train</c>.</param>
    /// <param name="options">Batch size, state folder, progress; default as <see cref="UploadDirectoryOptions"/> says.</param>
    /// <returns>How many files were uploaded and skipped.</returns>
    /// <exception cref="DirectoryNotFoundException">The local folder does not exist.</exception>
    /// <exception cref="AzFuseTransferException">Files of a batch could not be uploaded; they stay pending, and the next call sends them again.</exception>
    public UploadDirectoryResult UploadDirectory(string localDirectory, string logicalDirectory, UploadDirectoryOptions? options = null) =>
        UploadDirectoryCoreAsync(localDirectory, logicalDirectory, options, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="UploadDirectory"/>
    /// <param name="localDirectory">The local folder (everything under it).</param>
    /// <param name="logicalDirectory">The logical folder it becomes.</param>
    /// <param name="options">Batch size, state folder, progress.</param>
    /// <param name="cancellationToken">Stops after the current file; what was recorded is uploaded by the batch's scope (or a later resume).</param>
    public Task<UploadDirectoryResult> UploadDirectoryAsync(string localDirectory, string logicalDirectory, UploadDirectoryOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadDirectoryCoreAsync(localDirectory, logicalDirectory, options, async: true, cancellationToken).AsTask();

    private ValueTask<UploadDirectoryResult> UploadDirectoryCoreAsync(string localDirectory, string logicalDirectory, UploadDirectoryOptions? options, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(localDirectory);
        ArgumentNullException.ThrowIfNull(logicalDirectory);
        if (string.IsNullOrWhiteSpace(logicalDirectory))
        {
            throw Errors.EmptyPath(nameof(logicalDirectory));
        }

        return DirectoryUpload.RunAsync(this, localDirectory, logicalDirectory, options ?? new UploadDirectoryOptions(), async, cancellationToken);
    }
}
