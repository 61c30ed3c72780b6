using System.Security.Cryptography;
using AzFuse.Paths;
using AzFuse.Remote;

namespace AzFuse.Cache;

/// <summary>
/// Decides when a cached file must be checked against its blob (<c>revalidate_after</c>), and whether
/// it still matches.
/// </summary>
internal sealed class Freshness
{
    private readonly TimeProvider _time;

    public Freshness(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// Whether an Open of the cached <paramref name="path"/> must ask the service first: always when
    /// <paramref name="forced"/>; never when its mapping does not revalidate; otherwise when the
    /// record is missing or was last checked <c>revalidate_after</c> ago or longer. A record of a
    /// pending write comes due too; the check then finds the write and keeps the local copy.
    /// </summary>
    public bool IsDue(ResolvedPath path, CacheRecord? record, bool forced) =>
        forced || (path.Mapping.Revalidates && (record is null || _time.GetUtcNow() - record.CheckedAt >= path.Mapping.RevalidateAfter!.Value));

    /// <summary>
    /// Whether the cache file is a copy of <paramref name="blob"/> as it is now. By ETag when the
    /// record has one; otherwise (filled by an azcopy job, uploaded from here, or no record at all)
    /// by the same length and the same MD5, which costs a read of the file but not a download.
    /// </summary>
    public static async ValueTask<bool> MatchesAsync(string cachePath, CacheRecord? record, BlobProperties blob, bool async, CancellationToken cancellationToken)
    {
        if (record?.ETag is not null)
        {
            return record.HasSameETag(blob);
        }

        if (blob.ContentMd5 is null)
        {
            return false;
        }

        var file = new FileStream(cachePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, async ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            if (file.Length != blob.Length)
            {
                return false;
            }

            var md5 = async ? await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false) : MD5.HashData(file);
            return md5.AsSpan().SequenceEqual(blob.ContentMd5);
        }
    }
}
