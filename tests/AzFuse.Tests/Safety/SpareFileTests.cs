using AzFuse.Cache;
using AzFuse.IO;
using AzFuse.Tests.Infrastructure;
using AzFuse.Upload;

namespace AzFuse.Tests.Safety;

/// <summary>
/// A synchronous write on disk (outside any AsyncUpload scope) opens a private file made ahead (a spare, see <c>SpareFiles</c>) instead of
/// creating one while its caller waits: the content, the upload and the cached copy are what they
/// would be with a file of its own, whatever the mode. A cache fill of a small file renames one to
/// its partial file's name instead of creating that.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SpareFileTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private string WritingFolder => Path.Combine(Sandbox.CacheRoot, ".azfuse", "writing");

    [Fact]
    public async Task A_write_takes_a_file_made_ahead_and_another_is_made_for_the_next()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/spare/first.txt", "first"); // no spare yet: it creates its own, and asks for spares
        var spares = await SparesAsync();

        using (var stream = client.Open("data/spare/second.txt", FileMode.Create))
        {
            Assert.Single(spares, s => File.Exists(s) && !TryOpenExclusive(s)); // the open write's private file
            stream.Write("second"u8);
        }

        Assert.Single(spares, s => !File.Exists(s)); // renamed into the cache
        Assert.Equal("second", await Sandbox.DownloadTextAsync("spare/second.txt"));
        Assert.Equal("second", await File.ReadAllTextAsync(Sandbox.CachePathOf("spare/second.txt")));
        Assert.NotEmpty(await SparesAsync()); // made again for the next write
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public async Task Append_and_OpenOrCreate_on_a_file_made_ahead_start_from_the_cached_content()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/spare/log.txt", "one");

        await SparesAsync();
        using (var stream = client.Open("data/spare/log.txt", FileMode.Append))
        {
            stream.Write("two"u8);
        }

        Assert.Equal("onetwo", await Sandbox.DownloadTextAsync("spare/log.txt"));

        await SparesAsync();
        using (var stream = client.Open("data/spare/log.txt", FileMode.OpenOrCreate))
        {
            stream.Write("ONE"u8);
        }

        Assert.Equal("ONEtwo", await Sandbox.DownloadTextAsync("spare/log.txt"));
        Assert.Equal("ONEtwo", client.ReadAllText("data/spare/log.txt"));
    }

    [Fact]
    public async Task A_discarded_write_on_a_file_made_ahead_leaves_the_blob_and_the_cache_as_they_were_and_no_file_behind()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/spare/kept.txt", "kept");
        var spares = await SparesAsync();

        using (var stream = client.OpenWrite("data/spare/kept.txt", FileMode.Create, new OpenOptions { RequireCommit = true }))
        {
            stream.Write("dropped"u8);
        }

        Assert.Single(spares, s => !File.Exists(s)); // taken, then deleted with the write
        Assert.Equal("kept", await Sandbox.DownloadTextAsync("spare/kept.txt"));
        Assert.Equal("kept", await File.ReadAllTextAsync(Sandbox.CachePathOf("spare/kept.txt")));
        Assert.DoesNotContain(StandingFiles.Without(Directory.EnumerateFiles(WritingFolder, "*", SearchOption.AllDirectories)), f => !f.EndsWith(".lock", StringComparison.Ordinal));
        Assert.All(Directory.EnumerateFiles(WritingFolder, "*", SearchOption.AllDirectories).Where(StandingFiles.IsSpare), s => Assert.Equal(0, new FileInfo(s).Length));
    }

    [Fact]
    public async Task Writes_in_an_AsyncUpload_scope_neither_take_nor_ask_for_files_made_ahead()
    {
        var client = Sandbox.CreateClient();
        using (client.AsyncUpload())
        {
            for (var i = 0; i < 5; i++)
            {
                client.WriteAllText($"data/spare/scoped/{i}.txt", $"scoped {i}");
            }
        }

        Assert.Equal("scoped 4", await Sandbox.DownloadTextAsync("spare/scoped/4.txt"));
        Assert.DoesNotContain(Directory.EnumerateFiles(WritingFolder, "*", SearchOption.AllDirectories), StandingFiles.IsSpare);
    }

    [Fact]
    public async Task A_link_put_in_place_of_a_file_made_ahead_is_removed_and_never_written_through()
    {
        using var outside = new TempFolder();
        var target = outside.Write("target.txt", "not ours");
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/spare/first.txt", "first");
        var spares = await SparesAsync();
        foreach (var spare in spares)
        {
            File.Delete(spare);
            File.CreateSymbolicLink(spare, target);
        }

        client.WriteAllText("data/spare/second.txt", "second");

        Assert.Equal("not ours", File.ReadAllText(target));
        Assert.Equal("second", await Sandbox.DownloadTextAsync("spare/second.txt"));
        Assert.Equal("second", await File.ReadAllTextAsync(Sandbox.CachePathOf("spare/second.txt")));
        Assert.Single(spares, s => !Path.Exists(s)); // the link the write took, removed
    }

    [Fact]
    public async Task A_cache_fill_renames_a_file_made_ahead_into_the_cache_and_another_is_made_for_the_next()
    {
        await Sandbox.UploadAsync("spare/fill/first.txt", "first");
        await Sandbox.UploadAsync("spare/fill/second.txt", "second");
        var client = Sandbox.CreateClient();
        Assert.Equal("first", client.ReadAllText("data/spare/fill/first.txt")); // no spare yet: it creates its own, and asks for spares
        var spares = (await SparesAsync()).ToDictionary(s => NativeFiles.StatusOf(s)!.Value.Inode);

        Assert.Equal("second", client.ReadAllText("data/spare/fill/second.txt"));

        // The cache file is one of the spares (the same inode), renamed twice: to the partial name, then into place.
        var cached = NativeFiles.StatusOf(Sandbox.CachePathOf("spare/fill/second.txt"));
        Assert.Equal(FileKind.File, cached?.Kind);
        Assert.True(spares.TryGetValue(cached!.Value.Inode, out var taken), "the fill created its own file instead of taking a spare");
        Assert.False(File.Exists(taken));
        Assert.Equal("second", await File.ReadAllTextAsync(Sandbox.CachePathOf("spare/fill/second.txt")));
        Assert.DoesNotContain(Directory.EnumerateFiles(Sandbox.CachePathOf("spare/fill")), f => CacheFileNames.IsReservedName(Path.GetFileName(f)));
        Assert.NotEmpty(await SparesAsync()); // made again for the next miss
    }

    [Fact]
    public async Task A_link_put_in_place_of_a_file_made_ahead_is_never_written_through_by_a_cache_fill()
    {
        using var outside = new TempFolder();
        var target = outside.Write("target.txt", "not ours");
        await Sandbox.UploadAsync("spare/fill/first.txt", "first");
        await Sandbox.UploadAsync("spare/fill/second.txt", "second");
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/spare/fill/first.txt");
        var spares = await SparesAsync();
        foreach (var spare in spares)
        {
            File.Delete(spare);
            File.CreateSymbolicLink(spare, target);
        }

        Assert.Equal("second", client.ReadAllText("data/spare/fill/second.txt"));

        Assert.Equal("not ours", File.ReadAllText(target));
        Assert.Equal(FileKind.File, NativeFiles.StatusOf(Sandbox.CachePathOf("spare/fill/second.txt"))?.Kind);
        Assert.Single(spares, s => !Path.Exists(s)); // the link the fill took, removed
    }

    [Fact]
    public async Task A_cache_fill_whose_spares_are_on_another_file_system_creates_its_own_partial_file()
    {
        await Sandbox.UploadAsync("spare/fill/first.txt", "first");
        await Sandbox.UploadAsync("spare/fill/second.txt", "second");
        using var disk = TinyDisk.Mount(WritingFolder, "1m"); // the writing folder, spares and all, on a file system of its own
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/spare/fill/first.txt");
        var spares = await SparesAsync();
        var spareDevice = NativeFiles.StatusOf(spares[0])!.Value.Device;

        Assert.Equal("second", client.ReadAllText("data/spare/fill/second.txt"));

        // A rename cannot cross file systems: the spare is not used, and the fill creates its
        // partial file beside the cache file, as without spares.
        var cached = NativeFiles.StatusOf(Sandbox.CachePathOf("spare/fill/second.txt"));
        Assert.Equal(FileKind.File, cached?.Kind);
        Assert.NotEqual(spareDevice, cached!.Value.Device);
        Assert.Equal("second", await File.ReadAllTextAsync(Sandbox.CachePathOf("spare/fill/second.txt")));
        Assert.DoesNotContain(Directory.EnumerateFiles(Sandbox.CachePathOf("spare/fill")), f => CacheFileNames.IsReservedName(Path.GetFileName(f)));
        Assert.Single(spares, s => !File.Exists(s)); // the one taken is gone, not left behind
    }

    /// <summary>
    /// The spares of the writing folder, once the stock is made (in the background). Not as soon as
    /// there is one: a spare is on disk a moment before it can be taken, so a write right then would
    /// find none and make its own file; the next spare is made only once the one before can be taken.
    /// </summary>
    private async Task<List<string>> SparesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var spares = Directory.Exists(WritingFolder)
                ? Directory.EnumerateFiles(WritingFolder, "*", SearchOption.AllDirectories).Where(StandingFiles.IsSpare).ToList()
                : [];
            if (spares.Count >= SpareFiles.Stock)
            {
                return spares;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    // An open write holds its private file exclusively (FileShare.None): an exclusive open fails while it is open.
    private static bool TryOpenExclusive(string path)
    {
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
