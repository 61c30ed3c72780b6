using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Training;

/// <summary>
/// Writers that outrun their uploads are held back instead of filling a disk or shared memory;
/// a full /dev/shm moves writes to disk instead of failing them; FlushUploads waits with a deadline.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UploadPressureTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task Writers_past_MaxPendingUploadBytes_wait_until_uploads_make_room_and_nothing_is_lost()
    {
        var (options, release) = HoldAzCopy(); // uploads stall until released
        options.MaxPendingUploadBytes = 8 * MiB;
        var client = new AzFuseClient(options);
        var written = 0;

        var writer = Task.Run(async () =>
        {
            await using var scope = client.AsyncUpload();
            for (var i = 0; i < 20; i++)
            {
                await client.WriteAllBytesAsync($"data/bp/{i}.bin", TestContent.For(i, MiB));
                Interlocked.Increment(ref written);
            }
        });

        // The ninth file takes the queue past 8 MiB: its Dispose waits, and so does the writer.
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (Volatile.Read(ref written) < 8 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(8, Volatile.Read(ref written));
        Assert.False(writer.IsCompleted);

        File.WriteAllText(release, string.Empty);
        await writer.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(20, written);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(TestContent.For(i, MiB), await Sandbox.DownloadAsync($"bp/{i}.bin"));
        }
    }

    [Fact]
    public async Task FlushUploads_names_what_is_not_uploaded_by_its_deadline_and_finishes_the_rest_later()
    {
        var (options, release) = HoldAzCopy();
        var client = new AzFuseClient(options);
        var scope = client.AsyncUpload();
        for (var i = 0; i < 5; i++)
        {
            client.WriteAllText($"data/fl/{i}.txt", $"flush {i}");
        }

        var early = client.FlushUploads(TimeSpan.FromMilliseconds(300));
        File.WriteAllText(release, string.Empty);
        var late = await client.FlushUploadsAsync(TimeSpan.FromMinutes(2));
        await scope.DisposeAsync();

        Assert.False(early.IsComplete);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"data/fl/{i}.txt").Order(), early.NotUploaded.Order());
        Assert.True(late.IsComplete);
        Assert.Equal(5, late.Uploaded);
        Assert.Equal("flush 4", await Sandbox.DownloadTextAsync("fl/4.txt"));
    }

    [Fact]
    public async Task With_shmAsTmp_a_write_larger_than_shared_memory_moves_to_disk_and_lands_byte_exact()
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        using var tiny = TinyDisk.Mount(shm, "4m", headroom: 3 * MiB);
        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = shm;
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);
        var big = TestContent.For(1, 6 * MiB);
        var small = TestContent.For(2, 100_000);

        await using (client.AsyncUpload(shmAsTmp: true))
        {
            await using (var stream = await client.OpenWriteAsync("data/shm/big.bin"))
            {
                for (var offset = 0; offset < big.Length; offset += 64 * 1024)
                {
                    await stream.WriteAsync(big.AsMemory(offset, 64 * 1024)); // the shared memory fills up half-way
                }
            }

            client.WriteAllBytes("data/shm/small.bin", small); // fits: staged in shared memory
        }

        Assert.Single(logs.Lines, l => l.Contains("[104]", StringComparison.Ordinal) && l.Contains("data/shm/big.bin", StringComparison.Ordinal));
        Assert.Equal(big, await Sandbox.DownloadAsync("shm/big.bin"));
        Assert.Equal(small, await Sandbox.DownloadAsync("shm/small.bin"));
        Assert.Equal(big, File.ReadAllBytes(Sandbox.CachePathOf("shm/big.bin"))); // kept on disk, as a write to the cache is
    }

    [Fact]
    public async Task With_shmAsTmp_and_no_room_left_in_shared_memory_writes_are_staged_on_disk_from_the_start()
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        using var tiny = TinyDisk.Mount(shm, "4m", headroom: 256 * 1024);
        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = shm;
        var client = new AzFuseClient(options);

        await using (client.AsyncUpload(shmAsTmp: true))
        {
            for (var i = 0; i < 3; i++)
            {
                await client.WriteAllBytesAsync($"data/full/{i}.bin", TestContent.For(i, 200_000));
            }
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TestContent.For(i, 200_000), await Sandbox.DownloadAsync($"full/{i}.bin"));
        }
    }
}
