using System.Security.Cryptography;
using System.Text;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>ListEntries: what the service holds under a folder, with sizes, times and stored MD5s (for ls -l and resumable uploads).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ListEntriesTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task ListEntries_gives_files_with_size_time_and_md5_and_sub_folders_when_not_recursive()
    {
        await Sandbox.UploadManyAsync([("set/a.txt", "a"u8.ToArray()), ("set/bb.txt", "bb"u8.ToArray()), ("set/sub/c.txt", "ccc"u8.ToArray())]);
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/set/written.txt", "written by AzFuse");
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        var top = client.ListEntries("data/set").ToList();
        var all = new List<FileEntry>();
        await foreach (var entry in client.ListEntriesAsync("data/set/", recursive: true))
        {
            all.Add(entry);
        }

        Assert.Equal(["data/set/sub/", "data/set/a.txt", "data/set/bb.txt", "data/set/written.txt"], top.Select(e => e.ToString()));
        Assert.True(top[0].IsFolder);
        Assert.Equal([1L, 2L, 17L], top.Skip(1).Select(e => e.Length));
        Assert.All(top.Skip(1), e => Assert.InRange(e.LastModified!.Value, before, DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes("written by AzFuse"))), top[3].ContentMd5);
        Assert.Equal(["data/set/a.txt", "data/set/bb.txt", "data/set/sub/c.txt", "data/set/written.txt"], all.Select(e => e.Path));
        Assert.DoesNotContain(all, e => e.IsFolder);
        Assert.Empty(client.ListEntries("data/none"));
    }

    [Fact]
    public void ListEntries_lists_the_local_folder_when_AzFuse_is_disabled()
    {
        var folder = Path.Combine(Sandbox.Root, "plain");
        Directory.CreateDirectory(Path.Combine(folder, "inner"));
        File.WriteAllText(Path.Combine(folder, "b.txt"), "12345");
        File.WriteAllText(Path.Combine(folder, "inner", "a.txt"), "1");
        var client = new AzFuseClient(new AzFuseOptions { Enabled = false });

        var top = client.ListEntries(folder).ToList();

        Assert.Equal([folder + "/b.txt", folder + "/inner/"], top.Select(e => e.ToString()));
        Assert.Equal(5, top[0].Length);
        Assert.Null(top[0].ContentMd5);
        Assert.Equal([folder + "/b.txt", folder + "/inner/a.txt"], client.ListEntries(folder, recursive: true).Select(e => e.Path));
    }
}
