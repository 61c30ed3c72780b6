using System.Buffers;
using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>Downloads one blob through <c>azcopy copy --from-to BlobPipe</c>, verifying what arrives.</summary>
internal sealed class PipeDownloader
{
    private readonly AzCopyRunner _runner;
    private readonly SasProvider _sas;
    private readonly TimeProvider _time;

    public PipeDownloader(AzCopyRunner runner, SasProvider sas, TimeProvider time)
    {
        _runner = runner;
        _sas = sas;
        _time = time;
    }

    /// <summary>
    /// Writes the blob to <paramref name="destinationPath"/> (created or truncated) and flushes it to
    /// disk. Throws when azcopy fails or the bytes do not match <paramref name="expected"/>'s length
    /// or MD5; the caller removes the file then.
    /// </summary>
    public async ValueTask DownloadAsync(BlobLocation blob, BlobProperties expected, string destinationPath, string azCopyWorkFolder, bool async, CancellationToken cancellationToken)
    {
        var arguments = AzCopyArguments.PipeDownload(_sas.Authorize(blob.Uri, blob.Account, "rl"));
        using var scratch = ScratchFolder.Create(azCopyWorkFolder, AzCopyLogs.KeepFailedRunsFor, _time);
        using var file = new FileStream(destinationPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        using var md5 = expected.ContentMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        long written = 0;

        var exit = await _runner.RunAsync(arguments, AzCopyArguments.Display(arguments), scratch.Path, async (stdout, isAsync, ct) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                int read;
                while ((read = isAsync ? await stdout.ReadAsync(buffer, ct).ConfigureAwait(false) : stdout.Read(buffer)) > 0)
                {
                    md5?.AppendData(buffer, 0, read);
                    if (isAsync)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                    }
                    else
                    {
                        file.Write(buffer, 0, read);
                    }

                    written += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, async, cancellationToken).ConfigureAwait(false);

        if (exit.ExitCode != 0)
        {
            scratch.Keep();
            throw Errors.AzCopyDownloadFailed(blob, exit, AzCopyLogs.Tail(scratch.Path), scratch.Path);
        }

        if (written != expected.Length)
        {
            throw Errors.LengthMismatch(blob, expected.Length, written);
        }

        if (md5 is not null && !md5.GetHashAndReset().AsSpan().SequenceEqual(expected.ContentMd5))
        {
            throw Errors.Md5Mismatch(blob);
        }

        // Durable before it is renamed into place: after a power loss, a renamed but unflushed
        // file can come back empty, and an empty file at the cache path looks cached.
        file.Flush(flushToDisk: true);
    }
}
