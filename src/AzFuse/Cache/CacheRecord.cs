using System.Text.Json;
using System.Text.Json.Serialization;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Cache;

/// <summary>
/// What is known about a cache file's content, kept in a small file beside it (never inside it,
/// and never a logical file): the blob version it is a copy of, and when that was last checked.
/// </summary>
/// <param name="ETag">The blob's ETag when the copy was made; <see langword="null"/> when unknown (an azcopy job filled it, or it was uploaded from here).</param>
/// <param name="Length">The content's length.</param>
/// <param name="LastModified">The blob's Last-Modified, for people reading the record.</param>
/// <param name="CheckedAt">When the content was last known to match the blob.</param>
/// <param name="PendingWrite">
/// Set while the content is a local write not yet confirmed uploaded: the write's token (see
/// <c>PendingUpload.Token</c>). Such a file is never replaced by a remote copy and never evicted.
/// </param>
internal sealed record CacheRecord(
    string? ETag,
    long Length,
    DateTimeOffset? LastModified,
    DateTimeOffset CheckedAt,
    Guid? PendingWrite = null)
{
    public static CacheRecord Downloaded(BlobProperties blob, DateTimeOffset now) => new(blob.ETag, blob.Length, blob.LastModified, now);

    /// <summary>Whether this record vouches for <paramref name="blob"/>'s current version by its ETag.</summary>
    public bool HasSameETag(BlobProperties blob) => ETag is not null && string.Equals(ETag, blob.ETag, StringComparison.Ordinal);
}

/// <summary>
/// Reads and writes <see cref="CacheRecord"/> files. Writers hold the cache file's fill lock, which
/// is what keeps a record and its file in step; a write is a rename, so readers without the lock
/// see the old record or the new one, never half of one.
/// </summary>
internal static class CacheRecords
{
    /// <summary>The record of <paramref name="cachePath"/>; <see langword="null"/> when there is none or it cannot be read (then nothing is vouched for).</summary>
    public static CacheRecord? Read(string cachePath)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(CacheFileNames.RecordPath(cachePath)), CacheRecordJson.Default.CacheRecord);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the record. Not flushed: a record lost to a power cut only costs a later check (see <see cref="Read"/>).</summary>
    public static void Write(string cachePath, CacheRecord record)
    {
        var target = CacheFileNames.RecordPath(cachePath);
        var temp = CacheFileNames.RecordTempPath(cachePath);
        ContainedFolders.WriteNewFile(temp, JsonSerializer.SerializeToUtf8Bytes(record, CacheRecordJson.Default.CacheRecord));
        File.Move(temp, target, overwrite: true);
    }

    public static void Delete(string cachePath) => CacheCommit.DeleteQuietly(CacheFileNames.RecordPath(cachePath));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheRecord))]
internal sealed partial class CacheRecordJson : JsonSerializerContext;
