namespace AzFuse;

/// <content>Large files: how transfers are cut into chunks, and whether downloads are verified.</content>
public sealed partial class AzFuseOptions
{
    // ----- large files: chunked transfers, range reads, streamed reads -----------------------

    // Measured with `./build.sh bench chunks --large-mb 512 --repeat 3` (forced HTTP, through the
    // link profile: 10 ms each way, 25 MB/s per connection; 2 shared cores, Azurite): a 512 MiB
    // download took 2.5 s with 8 MiB x 16, 3.7 s with 8 MiB x 8, 6.5 s with 8 MiB x 4, and 3.6 s
    // with 4 MiB x 16 (more requests, each paying the round trip); uploads 4.9-7.4 s at 8 and 16 in
    // flight, 7.5-9.5 s at 4. azcopy took 22 s each way (pipe download, job upload). Sixteen in
    // flight at 8 MiB came out best or near it both ways; each costs a 256 KiB buffer, 4 MiB in all.
    private long _chunkSize = 8L << 20;
    private int _chunksInFlight = 16;

    /// <summary>
    /// The piece a large transfer is cut into. A download of a blob larger than this goes as ranges
    /// of this size, <see cref="ChunksInFlight"/> at a time, written at their offsets; an upload
    /// larger than this goes as blocks of this size (grown for files of more than 50,000 chunks, the
    /// service's block limit), committed together at the end. A blob without a stored Content-MD5
    /// is fetched in ranges of at most 4 MiB, the most the service sends an MD5 with, and so are
    /// the blocks of a streamed read (<see cref="OpenOptions.Streaming"/>).
    /// Default 8 MiB (see the README's measurements); between 64 KiB and 4,000 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 64 KiB to 4,000 MiB.</exception>
    public long ChunkSize
    {
        get => _chunkSize;
        set => _chunkSize = value is >= 64L << 10 and <= 4000L << 20
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ChunkSize), value, "ChunkSize must be between 64 KiB and 4,000 MiB.");
    }

    /// <summary>
    /// How many chunks (<see cref="ChunkSize"/>) of one file move at once, each over its own
    /// connection: over a real network one connection is bound by its round-trip time, so a large
    /// file needs several. Also how far a streamed read reads ahead. Memory stays bounded: each
    /// chunk in flight streams through a buffer of at most 256 KiB, never a whole chunk. A download
    /// verified against the blob's Content-MD5 starts with 2 chunks in flight and doubles them up to
    /// this number while that makes it faster than before and still slower than the MD5 (which can
    /// only run in order, beside it).
    /// Default 16 (measured through a link of 10 ms each way and 25 MB/s per connection: a 512 MiB
    /// download took 2.5 s at 16, 3.7 s at 8 and 6.5 s at 4; see the README); between 1 and 64.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 64.</exception>
    public int ChunksInFlight
    {
        get => _chunksInFlight;
        set => _chunksInFlight = value is >= 1 and <= 64
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ChunksInFlight), value, "ChunksInFlight must be between 1 and 64.");
    }

    /// <summary>
    /// Whether downloads are checked with MD5s: a blob with a stored Content-MD5 against it, as a
    /// whole; one without, range by range against the MD5 the service sends with each range (ranges
    /// of at most 4 MiB then); azcopy with <c>--check-md5 FailIfDifferent</c>. Default
    /// <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// Off, no MD5 is asked for or computed: a download is still checked for its length and version,
    /// and never cached partial, but bytes changed on the way or at rest go unnoticed (azcopy runs
    /// with <c>--check-md5 NoCheck</c>). An MD5 runs in order on one core (about 0.7-0.9 GB/s on this
    /// project's machines), so for a large file on a fast link it takes longer than the transfer: a
    /// 100 MiB file took 1.6-2.4 times as long as <c>curl -o</c> verified, and 0.75-1.25 times
    /// without the check (see the README's hot paths). Turn it off only where the transport already
    /// guarantees that what arrives is what was sent (HTTPS, as every Azure endpoint is) and that is
    /// enough for you. Cache files and blocks fetched either way are the same files.
    /// </remarks>
    public bool VerifyDownloads { get; set; } = true;

    /// <summary>
    /// The most blocks an upload is cut into: the service's limit, 50,000. Tests lower it to reach
    /// the point where the block size grows without uploading 50,000 blocks.
    /// </summary>
    internal int BlockCountLimit { get; set; } = 50_000;
}
