using System.Buffers;
using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// Uploads one file through <c>azcopy copy --from-to PipeBlob</c> (about 30 ms for a small file,
/// against a job's 2-second poll), then confirms it: pipe mode reports nothing, so one HEAD must
/// show the blob with the length and MD5 of the bytes that were sent.
/// </summary>
internal sealed class PipeUploader
{
    private readonly AzCopyRunner _runner;
    private readonly SasProvider _sas;
    private readonly BlobService _blobs;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;

    public PipeUploader(AzCopyRunner runner, SasProvider sas, BlobService blobs, TimeSpan stallTimeout, TimeProvider time)
    {
        _runner = runner;
        _sas = sas;
        _blobs = blobs;
        _stallTimeout = stallTimeout;
        _time = time;
    }

    /// <summary>Uploads <paramref name="source"/> from its start to its end as <paramref name="blob"/>, replacing it.</summary>
    public async ValueTask UploadAsync(BlobLocation blob, Stream source, string azCopyWorkFolder, bool async, CancellationToken cancellationToken)
    {
        // A HEAD first: an unreachable service, a denied SAS or a missing container fails here in
        // milliseconds with a clear cause, where azcopy would retry for minutes and then say nothing.
        await _blobs.GetPropertiesAsync(blob, async, cancellationToken).ConfigureAwait(false);

        var arguments = AzCopyArguments.PipeUpload(await _sas.AuthorizeAsync(blob.Uri, blob.Account, "rcwl", async, cancellationToken).ConfigureAwait(false), ContentTypes.Of(blob.BlobName));
        using var scratch = ScratchFolder.Create(azCopyWorkFolder, AzCopyLogs.KeepFailedRunsFor, _time);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var stall = new StallWatch(_stallTimeout, _time);
        long sent = 0;

        var exit = await _runner.RunAsync(
            arguments,
            AzCopyArguments.Display(arguments),
            scratch.Path,
            static (stdout, _, ct) => new ValueTask(stdout.CopyToAsync(Stream.Null, ct)),
            async,
            cancellationToken,
            writeStdin: async (stdin, isAsync, ct) =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int read;
                    while ((read = isAsync ? await source.ReadAsync(buffer, ct).ConfigureAwait(false) : source.Read(buffer)) > 0)
                    {
                        md5.AppendData(buffer, 0, read);
                        if (isAsync)
                        {
                            await stdin.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                        }
                        else
                        {
                            stdin.Write(buffer, 0, read);
                        }

                        sent += read;
                        stall.Touch();
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            },
            stall).ConfigureAwait(false);

        if (exit.ExitCode != 0)
        {
            scratch.Keep();
            throw Errors.AzCopyUploadFailed(blob, exit, AzCopyLogs.Tail(scratch.Path), scratch.Path);
        }

        await UploadConfirmation.ConfirmAsync(_blobs, blob, sent, md5.GetHashAndReset(), async, cancellationToken).ConfigureAwait(false);
    }
}
