using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// Uploads a folder of files to one container in a single azcopy job: one process and one
/// 2-second completion poll for the whole batch, each file named by its path in the folder.
/// </summary>
internal sealed class JobUploader
{
    private readonly AzCopyRunner _runner;
    private readonly SasProvider _sas;
    private readonly BlobService _blobs;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;

    public JobUploader(AzCopyRunner runner, SasProvider sas, BlobService blobs, TimeSpan stallTimeout, TimeProvider time)
    {
        _runner = runner;
        _sas = sas;
        _blobs = blobs;
        _stallTimeout = stallTimeout;
        _time = time;
    }

    /// <summary>
    /// Runs the job over every file under <paramref name="source"/>.
    /// </summary>
    /// <returns><see langword="null"/> when azcopy reports all <paramref name="fileCount"/> files done; otherwise why not, for the caller to confirm file by file.</returns>
    /// <exception cref="AzFuseException">azcopy failed as a whole, or <paramref name="probe"/> showed the service unreachable or the access denied.</exception>
    public async ValueTask<string?> UploadAsync(StorageAccount account, BlobLocation probe, string source, int fileCount, string azCopyWorkFolder, bool async, CancellationToken cancellationToken)
    {
        // As for a single upload: a bad SAS or a dead service fails here at once, not after azcopy's retries.
        await _blobs.GetPropertiesAsync(probe, async, cancellationToken).ConfigureAwait(false);

        using var scratch = ScratchFolder.Create(azCopyWorkFolder, AzCopyLogs.KeepFailedRunsFor, _time);
        var arguments = AzCopyArguments.JobUpload(source, await _sas.AuthorizeAsync(account.ContainerUri, account, "rcwl", async, cancellationToken).ConfigureAwait(false));
        var stall = new StallWatch(_stallTimeout, _time, scansFirst: true);
        var output = new AzCopyJobOutput(stall);
        var exit = await _runner.RunAsync(arguments, AzCopyArguments.Display(arguments), scratch.Path, output.ReadAsync, async, cancellationToken, stall: stall).ConfigureAwait(false);

        var summary = output.Summary;
        if (exit.ExitCode == 0 && summary is not null && summary.TransfersCompleted == fileCount && summary.TransfersFailed == 0)
        {
            return null;
        }

        scratch.Keep();
        var description = Errors.DescribeJob(exit, summary, output.Errors, scratch.Path);
        return summary is null || summary.TransfersCompleted == 0
            ? throw Errors.AzCopyUploadJobFailed(account, description)
            : description;
    }
}
