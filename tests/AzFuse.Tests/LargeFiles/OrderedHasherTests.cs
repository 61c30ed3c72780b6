using System.Security.Cryptography;
using AzFuse.Remote;
using AzFuse.Transfer;

namespace AzFuse.Tests.LargeFiles;

/// <summary>
/// The MD5 a parallel download verifies its file with, computed while the ranges arrive: whatever
/// order the ranges are written in, and in whatever pieces, it is the MD5 of the whole file.
/// </summary>
public sealed class OrderedHasherTests : IDisposable
{
    private const int Piece = 100_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("azfuse-hasher-").FullName;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ranges_written_in_any_order_and_in_pieces_hash_to_the_md5_of_the_whole_file(bool async)
    {
        var layout = new RangeLayout((10 << 20) + 3, 1 << 20, 2 << 20);
        var content = RandomNumberGenerator.GetBytes((int)layout.Length);
        using var file = PartialFile.Create(Path.Combine(_folder, "file"), default(BlobLocation), layout.Length, async);
        using var hasher = new OrderedHasher(file, layout);
        var hashing = Task.Run(() => hasher.RunAsync(async, CancellationToken.None).AsTask());

        // The front of the file last, each range in pieces from a thread of its own: the hash can
        // only move once the front arrives, and then follows it piece by piece.
        await Parallel.ForEachAsync(Enumerable.Range(0, layout.Count).Reverse(), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (index, ct) =>
        {
            var (offset, length) = (layout.Offset(index), layout.LengthOf(index));
            for (var at = 0L; at < length; at += Piece)
            {
                var piece = (int)Math.Min(Piece, length - at);
                await file.WriteAsync(offset + at, content.AsMemory((int)(offset + at), piece), async: true, ct);
                hasher.Written(index, at + piece);
            }

            hasher.Done(index);
        });

        Assert.Equal(MD5.HashData(content), await hashing.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
