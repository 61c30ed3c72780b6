using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Transfer;

/// <summary>
/// Downloads a large blob as ranges, several at a time, each written at its offset into a file of
/// the blob's full length, and each retried alone when it fails. Over a real network one connection
/// is bound by its round-trip time, so this is what moves a large file at the link's speed (as
/// azcopy, blobfuse2 and rclone do).
/// </summary>
/// <remarks>
/// Integrity: a blob with a stored Content-MD5 is verified as a whole (<see cref="OrderedHasher"/>
/// hashes the file in order while the ranges arrive); one without is fetched in ranges of at most
/// 4 MiB, each checked against the MD5 the service sends with it. Every range asks for the version
/// the download started with (If-Match), so a blob rewritten meanwhile fails with
/// <see cref="BlobChangedException"/> instead of mixing versions. With
/// <see cref="AzFuseOptions.VerifyDownloads"/> off, no MD5 is asked for or computed: every blob is
/// fetched in chunks, all of them in flight at once. Memory: one buffer of
/// <see cref="ChunkSettings.BufferSize"/> per range in flight, whatever the chunk size.
/// With a <see cref="RangeRecord"/> path, the ranges on disk are recorded so that a download killed
/// midway resumes (see <see cref="RangeRecord"/>).
/// <para>
/// Ranges in flight, where the file is verified as a whole: the MD5 can only run in order, so
/// ranges that all progress side by side all finish together and leave the whole hash for after
/// the last byte (a 100 MiB file in 13 ranges of 8 MiB on loopback: the download took 150 ms,
/// then the hash 130 ms more). So such a download starts with <see cref="RampStart"/> ranges and
/// doubles them (<see cref="RangeRamp"/>, up to <see cref="AzFuseOptions.ChunksInFlight"/>) while
/// two things hold, measured by the hash each time it catches up with the bytes (see
/// <see cref="OrderedHasher"/>): the bytes arrive slower than it hashes them (the link, not the
/// hash, is the slower side), and the last doubling made them arrive faster (the link is bound
/// per connection, as over a network, not by the host's CPU, as on loopback, where more ranges
/// only split the same CPU and take it from the hash). Through a link of 25 MB/s per connection
/// the ranges reach the limit within the first few reads; on loopback they stay at 2 to 4 and the
/// hash ends soon after the last byte. Waiting for the hash to starve is no signal: every range
/// added slows the one at the front, which starves the hash, which would add more.
/// </para>
/// </remarks>
internal sealed class RangedDownloader
{
    /// <summary>How many ranges a download verified as a whole starts with (see the remarks).</summary>
    private const int RampStart = 2;

    private readonly RangeFetcher _fetcher;
    private readonly ChunkSettings _chunks;
    private readonly ILogger _logger;

    public RangedDownloader(RangeFetcher fetcher, ChunkSettings chunks, ILogger logger)
    {
        _fetcher = fetcher;
        _chunks = chunks;
        _logger = logger;
    }

    /// <summary>The ranges a blob of these properties is cut into.</summary>
    public RangeLayout LayoutOf(BlobProperties blob) => _chunks.DownloadLayout(blob.Length, blob.ContentMd5 is not null);

    /// <summary>
    /// Writes the blob to <paramref name="path"/>, verified and flushed to disk. With
    /// <paramref name="recordPath"/>, a download that a killed process left there (same version) is
    /// completed rather than started again, and progress is recorded for the next one.
    /// </summary>
    /// <param name="blob">The blob.</param>
    /// <param name="properties">Its properties, from the response that started the download (or a HEAD).</param>
    /// <param name="path">The partial file.</param>
    /// <param name="recordPath">Where the ranges on disk are recorded; <see langword="null"/> for a download that is not resumed.</param>
    /// <param name="first">The open GET of the first range (see <see cref="ChunkSettings.VerifiedRange"/>), consumed and disposed here; or none.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <exception cref="BlobChangedException">The blob changed during the download.</exception>
    public async ValueTask DownloadAsync(BlobLocation blob, BlobProperties properties, string path, string? recordPath, BlobDownload? first, bool async, CancellationToken cancellationToken)
    {
        using var firstRange = first;
        var layout = LayoutOf(properties);
        var (file, record, done) = await OpenAsync(blob, properties, layout, path, recordPath, async, cancellationToken).ConfigureAwait(false);
        var workers = Math.Min(_chunks.InFlight, layout.Count - done.Count);
        var wholeMd5 = _chunks.Verify ? properties.ContentMd5 : null;

        // Without a hasher nothing holds the ranges back: all start at once, as each is verified on its own (or not at all).
        using var ramp = new RangeRamp(wholeMd5 is null ? workers : RampStart, workers);
        using (file)
        using (record)
        using (var hasher = wholeMd5 is null ? null : new OrderedHasher(file, layout, outpaced: ramp.Widen))
        {
            var missing = new ConcurrentQueue<int>(Enumerable.Range(0, layout.Count).Where(i => !done.Contains(i)));
            foreach (var index in done)
            {
                hasher?.Done(index);
            }

            if (done.Count > 0)
            {
                Log.DownloadResumed(_logger, blob.DisplayName, done.Count, layout.Count);
            }

            Log.RangedDownload(_logger, blob.DisplayName, layout.Count - done.Count, layout.Size, _chunks.InFlight);
            var opened = done.Contains(0) ? null : firstRange;
            byte[]? md5 = null;
            await ParallelWorkers.RunAsync(
                workers + (hasher is null ? 0 : 1),
                async (worker, isAsync, ct) =>
                {
                    if (worker == workers)
                    {
                        md5 = await hasher!.RunAsync(isAsync, ct).ConfigureAwait(false);
                        return;
                    }

                    await ramp.WaitTurnAsync(isAsync, ct).ConfigureAwait(false);
                    while (missing.TryDequeue(out var index))
                    {
                        var offset = layout.Offset(index);
                        var rangeMd5 = await _fetcher.FetchAsync(
                            blob,
                            properties.ETag!,
                            offset,
                            layout.LengthOf(index),
                            withMd5: _chunks.Verify && properties.ContentMd5 is null,
                            async (at, bytes, a, c) =>
                            {
                                await file.WriteAsync(offset + at, bytes, a, c).ConfigureAwait(false);
                                hasher?.Written(index, at + bytes.Length);
                            },
                            index == 0 ? Interlocked.Exchange(ref opened, null) : null,
                            isAsync,
                            ct).ConfigureAwait(false);
                        record?.Add(index, rangeMd5);
                        hasher?.Done(index);
                    }

                    ramp.OpenAll(); // nothing left to start: the workers still waiting for a turn end
                },
                async,
                cancellationToken).ConfigureAwait(false);

            Log.RangesInFlight(_logger, blob.DisplayName, ramp.Widest, workers);
            if (md5 is not null && !md5.AsSpan().SequenceEqual(wholeMd5))
            {
                throw Errors.Md5Mismatch(blob);
            }

            file.Flush();
        }
    }

    /// <summary>The partial file and record to work with: a killed download's to resume, or new ones; and the ranges already on disk.</summary>
    private async ValueTask<(PartialFile File, RangeRecord? Record, HashSet<int> Done)> OpenAsync(BlobLocation blob, BlobProperties properties, RangeLayout layout, string path, string? recordPath, bool async, CancellationToken cancellationToken)
    {
        if (recordPath is not null && RangeRecord.TryResume(recordPath, properties, layout) is { } record)
        {
            if (PartialFile.OpenExisting(path, blob, properties.Length, async) is { } file)
            {
                // Verified as a whole at the end, or not verified at all: the recorded ranges stand.
                var done = properties.ContentMd5 is not null || !_chunks.Verify
                    ? record.Done.Keys.ToHashSet()
                    : await StillIntactAsync(file, layout, record.Done, async, cancellationToken).ConfigureAwait(false);
                return (file, record, done);
            }

            record.Dispose();
        }

        var created = PartialFile.Create(path, blob, properties.Length, async);
        return (created, recordPath is null ? null : RangeRecord.Create(recordPath, properties, layout), []);
    }

    /// <summary>
    /// The recorded ranges whose bytes on disk still have the MD5 the service sent for them: where the
    /// blob has no MD5 of its own, this is what verifies a resumed download. Ranges without one (or
    /// damaged) are fetched again.
    /// </summary>
    private static async ValueTask<HashSet<int>> StillIntactAsync(PartialFile file, RangeLayout layout, IReadOnlyDictionary<int, byte[]?> recorded, bool async, CancellationToken cancellationToken)
    {
        var intact = new HashSet<int>();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSettings.BufferSize);
        try
        {
            foreach (var (index, expected) in recorded)
            {
                if (expected is null)
                {
                    continue;
                }

                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                var (offset, length) = (layout.Offset(index), layout.LengthOf(index));
                for (long at = 0; at < length;)
                {
                    var read = await file.ReadAsync(offset + at, buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - at)), async, cancellationToken).ConfigureAwait(false);
                    md5.AppendData(buffer, 0, read);
                    at += read;
                }

                if (md5.GetHashAndReset().AsSpan().SequenceEqual(expected))
                {
                    intact.Add(index);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return intact;
    }
}
