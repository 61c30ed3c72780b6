using System.Buffers;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>Downloads one blob through <c>azcopy copy --from-to BlobPipe</c>, verifying what arrives.</summary>
internal sealed class PipeDownloader
{
    private readonly AzCopyRunner _runner;
    private readonly SasProvider _sas;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;
    private readonly bool _verify;

    public PipeDownloader(AzCopyRunner runner, SasProvider sas, TimeSpan stallTimeout, TimeProvider time, bool verify)
    {
        _runner = runner;
        _sas = sas;
        _stallTimeout = stallTimeout;
        _time = time;
        _verify = verify;
    }

    /// <summary>
    /// Writes the blob to <paramref name="destinationPath"/> (created or truncated) and flushes it to
    /// disk. Throws when azcopy fails or the bytes do not match <paramref name="expected"/>'s length
    /// or (when downloads are verified) MD5; the caller removes the file then.
    /// </summary>
    public async ValueTask DownloadAsync(BlobLocation blob, BlobProperties expected, string destinationPath, string azCopyWorkFolder, bool async, CancellationToken cancellationToken)
    {
        var arguments = AzCopyArguments.PipeDownload(await _sas.AuthorizeAsync(blob.Uri, blob.Account, "rl", async, cancellationToken).ConfigureAwait(false));
        using var scratch = ScratchFolder.Create(azCopyWorkFolder, AzCopyLogs.KeepFailedRunsFor, _time);
        using var file = new VerifiedFile(destinationPath, blob, expected, async, _verify);
        var stall = new StallWatch(_stallTimeout, _time);

        var exit = await _runner.RunAsync(
            arguments,
            AzCopyArguments.Display(arguments),
            scratch.Path,
            async (stdout, isAsync, ct) =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int read;
                    while ((read = isAsync ? await stdout.ReadAsync(buffer, ct).ConfigureAwait(false) : stdout.Read(buffer)) > 0)
                    {
                        await file.WriteAsync(buffer, read, isAsync, ct).ConfigureAwait(false);
                        stall.Touch();
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            },
            async,
            cancellationToken,
            stall: stall).ConfigureAwait(false);

        if (exit.ExitCode != 0)
        {
            scratch.Keep();
            throw Errors.AzCopyDownloadFailed(blob, exit, AzCopyLogs.Tail(scratch.Path), scratch.Path);
        }

        file.Complete();
    }
}
