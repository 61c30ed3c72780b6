using System.Text;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>
/// Accounts with a hierarchical namespace (ADLS Gen2) list each directory as an empty blob with
/// metadata hdi_isfolder=true: a folder, never a file, wherever the library lists or opens.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HierarchicalNamespaceTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private async Task SeedAsync()
    {
        await Sandbox.CreateDirectoryMarkerAsync("azfuse_data/tree");
        await Sandbox.CreateDirectoryMarkerAsync("azfuse_data/tree/sub");
        await Sandbox.CreateDirectoryMarkerAsync("azfuse_data/tree/empty");
        await Sandbox.UploadAsync("tree/a.txt", "a");
        await Sandbox.UploadAsync("tree/sub/b.txt", "b");
    }

    [Fact]
    public async Task Listings_show_directory_entries_as_folders_once_and_never_as_files()
    {
        await SeedAsync();
        var client = Sandbox.CreateClient();

        Assert.Equal(["data/tree/a.txt"], client.List("data/tree"));
        Assert.Equal(["data/tree/a.txt", "data/tree/sub/b.txt"], client.List("data/tree", recursive: true).Order());

        var entries = client.ListEntries("data/tree").ToList();
        Assert.Equal(["data/tree/empty", "data/tree/sub"], entries.Where(e => e.IsFolder).Select(e => e.Path).Order());
        Assert.Equal(["data/tree/a.txt"], entries.Where(e => !e.IsFolder).Select(e => e.Path));
        Assert.Equal(["data/tree/a.txt", "data/tree/sub/b.txt"], client.ListEntries("data/tree", recursive: true).Select(e => e.Path).Order());
        Assert.All(await client.ListEntriesAsync("data", recursive: true).ToListAsync(), e => Assert.False(e.IsFolder));
    }

    [Fact]
    public async Task Opening_or_preparing_a_directory_entry_says_it_is_a_folder_and_caches_nothing()
    {
        await SeedAsync();
        var client = Sandbox.CreateClient();

        Assert.Throws<UnauthorizedAccessException>(() => client.Open("data/tree/empty", FileMode.Open));
        Assert.Throws<UnauthorizedAccessException>(() => client.GetLength("data/tree/empty"));
        var prepare = Assert.Throws<AzFuseTransferException>(() => client.Prepare(["data/tree/empty", "data/tree/a.txt"]));

        Assert.Equal("data/tree/empty", Assert.Single(prepare.Failures).Path);
        Assert.True(client.Exists("data/tree/empty"));
        Assert.False(File.Exists(Sandbox.CachePathOf("tree/empty")));
        Assert.Equal("a", Encoding.UTF8.GetString(File.ReadAllBytes(Sandbox.CachePathOf("tree/a.txt"))));
    }
}
