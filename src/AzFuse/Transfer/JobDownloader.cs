using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// Downloads many blobs of one container in a single azcopy job with <c>--list-of-files</c>:
/// one process and one 2-second completion poll, whatever the count (tens of thousands of
/// names in a list file are fine where a command line would overflow).
/// </summary>
internal sealed class JobDownloader
{
    private readonly AzCopyRunner _runner;
    private readonly SasProvider _sas;
    private readonly BlobService _blobs;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;
    private readonly bool _verify;

    public JobDownloader(AzCopyRunner runner, SasProvider sas, BlobService blobs, TimeSpan stallTimeout, TimeProvider time, bool verify)
    {
        _runner = runner;
        _sas = sas;
        _blobs = blobs;
        _stallTimeout = stallTimeout;
        _time = time;
        _verify = verify;
    }

    /// <summary>
    /// Runs the job. Each blob lands at <c>destination/&lt;blob name&gt;</c>; which blobs did not
    /// arrive is for the caller to check. Throws only when azcopy failed as a whole.
    /// <paramref name="onProgress"/> sees azcopy's running totals as its progress messages arrive.
    /// </summary>
    public async ValueTask<JobOutcome> DownloadAsync(StorageAccount account, IEnumerable<string> blobNames, string destination, string azCopyWorkFolder, bool async, CancellationToken cancellationToken, Action<AzCopyJobSummary>? onProgress = null)
    {
        // One HEAD first: a denied SAS, a missing container or a dead service fails here at once,
        // where azcopy would skip every file with an Info line or retry for minutes.
        await _blobs.GetPropertiesAsync(new BlobLocation(account, blobNames.First()), async, cancellationToken).ConfigureAwait(false);

        using var scratch = ScratchFolder.Create(azCopyWorkFolder, AzCopyLogs.KeepFailedRunsFor, _time);
        var listFile = Path.Combine(scratch.Path, "list-of-files.txt");

        // Written a line at a time: joined first, 100,000 names made a string of megabytes.
        var list = new StreamWriter(listFile) { NewLine = "\n" };
        try
        {
            foreach (var name in blobNames)
            {
                if (async)
                {
                    await list.WriteLineAsync(name.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    list.WriteLine(name);
                }
            }
        }
        finally
        {
            if (async)
            {
                await list.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                list.Dispose();
            }
        }

        var arguments = AzCopyArguments.JobDownload(await _sas.AuthorizeAsync(account.ContainerUri, account, "rl", async, cancellationToken).ConfigureAwait(false), destination, listFile, _verify);
        var stall = new StallWatch(_stallTimeout, _time, scansFirst: true);
        var output = new AzCopyJobOutput(stall, onProgress);
        var exit = await _runner.RunAsync(arguments, AzCopyArguments.Display(arguments), scratch.Path, output.ReadAsync, async, cancellationToken, stall: stall).ConfigureAwait(false);
        var summary = output.Summary;
        var errors = output.Errors;

        if (exit.ExitCode != 0 || summary is null)
        {
            scratch.Keep();
            if (summary is null || summary.TransfersCompleted == 0)
            {
                throw Errors.AzCopyJobFailed(account, exit, summary, errors, scratch.Path);
            }
        }

        if (exit.ExitCode == 0)
        {
            return new JobOutcome(summary, output.Skipped, null);
        }

        // Some transfers failed (an MD5 mismatch, say): azcopy removed their files; say why for each.
        var reasons = new Dictionary<string, string>(output.Skipped, StringComparer.Ordinal);
        foreach (var (name, reason) in AzCopyLogs.FailedTransfers(scratch.Path, account.ContainerName))
        {
            reasons[name] = reason;
        }

        return new JobOutcome(summary, reasons, Errors.DescribeJob(exit, summary, errors, scratch.Path));
    }
}

/// <summary>What an azcopy job reported: its summary, the blobs it skipped and why, and a failure description when it exited non-zero.</summary>
internal sealed record JobOutcome(AzCopyJobSummary Summary, IReadOnlyDictionary<string, string> SkipReasons, string? PartialFailure);
