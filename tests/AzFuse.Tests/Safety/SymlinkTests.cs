using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>Symbolic links in the cache: read through a linked folder, but never written, evicted or cleared through one; a file link is never a hit.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SymlinkTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_linked_folder_in_a_bounded_cache_survives_200_evicting_fills_and_a_ClearCache_with_its_target_untouched()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "200KB");
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 200).Select(i => ($"fill/{i}.bin", TestContent.For(i, 4_000))));
        var dataset = Dataset(10);
        var link = Sandbox.CachePathOf("linked");
        Directory.CreateDirectory(Sandbox.CacheRoot);
        Directory.CreateSymbolicLink(link, dataset);
        var client = Sandbox.CreateClient();

        Assert.Equal("sample 3", client.ReadAllText("data/linked/3.txt")); // read through the link: a hit
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(TestContent.For(i, 4_000), client.ReadAllBytes($"data/fill/{i}.bin"));
        }

        Assert.True(client.GetCacheStats().Evictions >= 100, $"{client.GetCacheStats().Evictions} evictions");
        client.ClearCache("data/linked");
        client.ClearCache("data");

        AssertDatasetUntouched(dataset, 10);
        Assert.Equal(dataset, new DirectoryInfo(link).LinkTarget);
    }

    [Fact]
    public async Task Downloads_and_writes_never_go_through_a_linked_folder()
    {
        await Sandbox.UploadAsync("linked/remote.txt", "remote");
        var outside = Path.Combine(Sandbox.Root, "outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(Sandbox.CacheRoot);
        Directory.CreateSymbolicLink(Sandbox.CachePathOf("linked"), outside);
        var client = Sandbox.CreateClient();

        var read = Assert.Throws<IOException>(() => client.ReadAllText("data/linked/remote.txt"));
        var write = Assert.Throws<IOException>(() => client.WriteAllText("data/linked/written.txt", "local"));
        Assert.Throws<IOException>(() => client.WriteAllText("data/linked/sub/deeper.txt", "local"));

        Assert.Contains("symbolic link", read.Message, StringComparison.Ordinal);
        Assert.Contains(Sandbox.CachePathOf("linked"), write.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside, "*", SearchOption.AllDirectories));
        Assert.Null(await Sandbox.DownloadAsync("linked/written.txt"));
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public async Task Under_revalidate_after_a_linked_folder_is_read_as_it_is_never_checked_or_replaced()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "0");
        await Sandbox.UploadAsync("linked/3.txt", "the blob says otherwise"); // and 0.txt is deleted remotely
        var dataset = Dataset(5);
        Directory.CreateDirectory(Sandbox.CacheRoot);
        Directory.CreateSymbolicLink(Sandbox.CachePathOf("linked"), dataset);
        var client = Sandbox.CreateClient();
        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;

        Assert.Equal("sample 3", client.ReadAllText("data/linked/3.txt"));
        Assert.Equal("sample 0", client.ReadAllText("data/linked/0.txt"));
        client.Prepare(["data/linked/3.txt", "data/linked/0.txt"]);

        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));
        AssertDatasetUntouched(dataset, 5);
    }

    [Fact]
    public async Task A_file_link_in_the_cache_is_not_a_hit_and_its_target_is_untouched()
    {
        await Sandbox.UploadAsync("file.txt", "from the blob");
        var target = Path.Combine(Sandbox.Root, "mine.txt");
        File.WriteAllText(target, "the user's own file");
        Directory.CreateDirectory(Sandbox.CacheRoot);
        File.CreateSymbolicLink(Sandbox.CachePathOf("file.txt"), target);
        var client = Sandbox.CreateClient();

        Assert.Equal("from the blob", client.ReadAllText("data/file.txt"));

        Assert.Equal("the user's own file", File.ReadAllText(target));
        File.Delete(Sandbox.CachePathOf("file.txt"));
        File.CreateSymbolicLink(Sandbox.CachePathOf("file.txt"), target);
        client.Prepare(["data/file.txt"]); // replaced by a batch too
        Assert.Equal("the user's own file", File.ReadAllText(target));
        Assert.Equal("from the blob", File.ReadAllText(Sandbox.CachePathOf("file.txt")));
        Assert.Null(new FileInfo(Sandbox.CachePathOf("file.txt")).LinkTarget);
        Assert.Null(new FileInfo(Sandbox.CachePathOf("file.txt")).LinkTarget); // the link was replaced by the cached copy
    }

    [Fact]
    public async Task A_cache_hit_opened_without_following_links_is_still_a_FileStream_named_by_its_cache_path()
    {
        await Sandbox.UploadAsync("named.txt", "x");
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/named.txt");

        await using var hit = await client.OpenAsync("data/named.txt", FileMode.Open);

        Assert.Equal(Sandbox.CachePathOf("named.txt"), Assert.IsAssignableFrom<FileStream>(hit).Name);
        Assert.Equal((byte)'x', hit.ReadByte());
    }

    [Fact]
    public async Task A_dangling_file_link_does_not_stop_an_Open_of_an_existing_blob()
    {
        await Sandbox.UploadAsync("dangling.txt", "still here");
        Directory.CreateDirectory(Sandbox.CacheRoot);
        File.CreateSymbolicLink(Sandbox.CachePathOf("dangling.txt"), Path.Combine(Sandbox.Root, "gone"));
        var client = Sandbox.CreateClient();

        Assert.Equal("still here", client.ReadAllText("data/dangling.txt"));
        Assert.False(File.Exists(Path.Combine(Sandbox.Root, "gone")));
    }

    [Fact]
    public async Task Eviction_and_ClearCache_remove_a_file_link_in_no_case_and_never_its_target()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "20KB");
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 20).Select(i => ($"f/{i}.bin", TestContent.For(i, 4_000))));
        var target = Path.Combine(Sandbox.Root, "mine.bin");
        File.WriteAllBytes(target, new byte[8_000]);
        Directory.CreateDirectory(Sandbox.CachePathOf("f"));
        File.CreateSymbolicLink(Sandbox.CachePathOf("f/link.bin"), target);
        var client = Sandbox.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            client.ReadAllBytes($"data/f/{i}.bin");
        }

        client.ClearCache("data/f");

        Assert.Equal(8_000, new FileInfo(target).Length);
        Assert.Equal(target, new FileInfo(Sandbox.CachePathOf("f/link.bin")).LinkTarget);
        Assert.Equal(0, client.GetCacheStats().Files);
    }

    private string Dataset(int files)
    {
        var dataset = Path.Combine(Sandbox.Root, "dataset");
        Directory.CreateDirectory(Path.Combine(dataset, "nested"));
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Combine(dataset, $"{i}.txt"), $"sample {i}");
            File.WriteAllText(Path.Combine(dataset, "nested", $"{i}.txt"), $"nested {i}");
        }

        return dataset;
    }

    private static void AssertDatasetUntouched(string dataset, int files)
    {
        for (var i = 0; i < files; i++)
        {
            Assert.Equal($"sample {i}", File.ReadAllText(Path.Combine(dataset, $"{i}.txt")));
            Assert.Equal($"nested {i}", File.ReadAllText(Path.Combine(dataset, "nested", $"{i}.txt")));
        }

        Assert.Equal(2 * files, Directory.EnumerateFiles(dataset, "*", SearchOption.AllDirectories).Count());
    }
}
