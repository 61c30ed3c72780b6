using System.Security.Cryptography;
using AzFuse.Remote;
using AzFuse.Transfer;

namespace AzFuse.Tests.LargeFiles;

/// <summary>
/// The MD5 a parallel download verifies its file with, computed while the ranges arrive: whatever
/// order the ranges are written in, and in whatever pieces, it is the MD5 of the whole file; and it
/// says when the bytes arrive slower than it hashes them (what lets the download start more ranges).
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

    [Fact]
    public async Task A_hash_kept_waiting_for_bytes_says_that_it_outpaces_the_download()
    {
        var layout = new RangeLayout(2 << 20, 1 << 20, 1 << 20);
        var content = RandomNumberGenerator.GetBytes((int)layout.Length);
        using var file = PartialFile.Create(Path.Combine(_folder, "slow"), default(BlobLocation), layout.Length, async: true);
        var outpaced = 0;
        using var hasher = new OrderedHasher(file, layout, outpaced: () => Interlocked.Increment(ref outpaced));
        var hashing = hasher.RunAsync(async: true, CancellationToken.None).AsTask();

        // 64 KiB every 5 ms: about 13 MB/s, far below any MD5's speed.
        for (var index = 0; index < layout.Count; index++)
        {
            for (var at = 0; at < layout.LengthOf(index); at += 64 << 10)
            {
                var offset = layout.Offset(index) + at;
                await file.WriteAsync(offset, content.AsMemory((int)offset, 64 << 10), async: true, CancellationToken.None);
                hasher.Written(index, at + (64 << 10));
                await Task.Delay(5);
            }
        }

        Assert.Equal(MD5.HashData(content), await hashing.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(outpaced > 0, "the hash, waiting for every piece, never said that the download was the slower side");
    }

    [Fact]
    public async Task A_ramp_lets_more_workers_start_each_time_it_widens_up_to_its_limit()
    {
        using var ramp = new RangeRamp(start: 2, limit: 5);
        var workers = Enumerable.Range(0, 5).Select(_ => ramp.WaitTurnAsync(async: true, CancellationToken.None).AsTask()).ToList();

        Assert.Equal(2, ramp.Allowed);
        Assert.Equal(2, workers.Count(t => t.IsCompletedSuccessfully));

        ramp.Widen();
        Assert.Equal(4, ramp.Allowed);
        await Task.WhenAll(workers.Take(4)).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(workers[4].IsCompleted);

        ramp.Widen(); // doubles, but never past the limit
        Assert.Equal(5, ramp.Allowed);
        Assert.Equal(5, ramp.Widest);
        await workers[4].WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_ramp_lets_every_waiting_worker_go_when_nothing_is_left_to_start()
    {
        using var ramp = new RangeRamp(start: 1, limit: 4);
        await ramp.WaitTurnAsync(async: false, CancellationToken.None);

        // Synchronous workers, each blocked on a thread of its own, as a synchronous Open runs them.
        var waiting = Enumerable.Range(0, 3).Select(_ => Task.Run(() => ramp.WaitTurnAsync(async: false, CancellationToken.None).AsTask())).ToList();

        ramp.OpenAll();

        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(4, ramp.Allowed);
        Assert.Equal(1, ramp.Widest); // what the ramp widened to while there were ranges to start
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
