using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// How large transfers are cut up, from <see cref="AzFuseOptions.ChunkSize"/> and
/// <see cref="AzFuseOptions.ChunksInFlight"/>: the ranges of a download, the blocks of an upload and
/// of a streamed read; and whether downloads are checked with MD5s (<see cref="AzFuseOptions.VerifyDownloads"/>),
/// which decides how large a range may be.
/// </summary>
internal sealed record ChunkSettings(long ChunkSize, int InFlight, int BlockCountLimit, bool Verify = true)
{
    /// <summary>The largest block the service takes (Put Block, service version 2019-12-12 and later).</summary>
    public const long MaxBlockSize = 4000L << 20;

    /// <summary>
    /// Each transfer in flight streams through a buffer this large: big enough that a read or write
    /// call moves a useful amount, small enough that memory does not grow with the chunk size.
    /// </summary>
    public const int BufferSize = 256 << 10;

    public static ChunkSettings From(AzFuseOptions options) => new(options.ChunkSize, options.ChunksInFlight, options.BlockCountLimit, options.VerifyDownloads);

    /// <summary>
    /// The size of a verified range: the chunk size, or less where the service would not send an MD5
    /// with a range that large. The first GET of every download asks for this much, with its MD5.
    /// </summary>
    public int VerifiedRange => (int)Math.Min(ChunkSize, BlobService.MaxVerifiedRange);

    /// <summary>
    /// The ranges a download of a blob of <paramref name="length"/> bytes is cut into: after the first
    /// (<see cref="VerifiedRange"/>, which the first GET fetched), chunks; ranges of at most
    /// <see cref="VerifiedRange"/> when the blob has no stored MD5 and downloads are verified, so that
    /// each can be checked.
    /// </summary>
    public RangeLayout DownloadLayout(long length, bool hasWholeMd5) =>
        new(length, VerifiedRange, hasWholeMd5 || !Verify ? ChunkSize : VerifiedRange);

    /// <summary>
    /// The block size of an upload of <paramref name="length"/> bytes: the chunk size, grown (in whole
    /// MiB) where the file would need more than <see cref="BlockCountLimit"/> blocks.
    /// </summary>
    /// <returns>The size, or <see langword="null"/> when even the largest blocks would be too many.</returns>
    public long? BlockSizeFor(long length)
    {
        var needed = (length + BlockCountLimit - 1) / BlockCountLimit;
        if (needed <= ChunkSize)
        {
            return ChunkSize;
        }

        var grown = (needed + (1L << 20) - 1) >> 20 << 20;
        return grown <= MaxBlockSize ? grown : null;
    }
}

/// <summary>
/// How a blob of <paramref name="Length"/> bytes is cut into ranges: the first of <paramref name="First"/>
/// bytes, then ranges of <paramref name="Size"/> bytes, the last one shorter.
/// </summary>
internal readonly record struct RangeLayout(long Length, long First, long Size)
{
    public int Count => Length <= First ? 1 : 1 + (int)((Length - First + Size - 1) / Size);

    public long Offset(int index) => index == 0 ? 0 : First + ((index - 1) * Size);

    public long LengthOf(int index) => Math.Min(index == 0 ? First : Size, Length - Offset(index));
}
