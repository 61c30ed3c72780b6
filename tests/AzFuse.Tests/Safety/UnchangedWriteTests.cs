using System.IO.Compression;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>Only changed content is uploaded: a write that ends with the bytes it started with sends no request.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnchangedWriteTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_ReadWrite_open_that_only_reads_sends_no_request()
    {
        await Sandbox.UploadAsync("rw.bin", TestContent.ForFile(1));
        var client = Sandbox.CreateClient();
        client.ReadAllBytes("data/rw.bin"); // cached
        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;

        using (var stream = client.Open("data/rw.bin", FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal(TestContent.ForFile(1)[0], stream.ReadByte());
        }

        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public async Task A_ReadWrite_open_that_only_reads_never_pushes_a_stale_cached_copy_over_newer_remote_content()
    {
        await Sandbox.UploadAsync("stale.txt", "old");
        var client = Sandbox.CreateClient();
        Assert.Equal("old", client.ReadAllText("data/stale.txt"));
        await Sandbox.UploadAsync("stale.txt", "newer, written elsewhere");

        using (var stream = client.Open("data/stale.txt", FileMode.Open, FileAccess.ReadWrite))
        {
            stream.ReadByte();
        }

        Assert.Equal("newer, written elsewhere", await Sandbox.DownloadTextAsync("stale.txt"));
    }

    [Fact]
    public async Task An_Append_that_adds_nothing_an_OpenOrCreate_never_written_and_a_rewrite_of_the_same_bytes_send_no_request()
    {
        await Sandbox.UploadAsync("same.txt", "abcdef");
        var client = Sandbox.CreateClient();
        Assert.Equal("abcdef", client.ReadAllText("data/same.txt"));
        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;

        client.Open("data/same.txt", FileMode.Append).Dispose();
        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));
        client.Open("data/same.txt", FileMode.OpenOrCreate).Dispose();
        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));
        using (var stream = client.Open("data/same.txt", FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 2;
            stream.Write("cd"u8);
            stream.SetLength(6);
        }

        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));

        using (var stream = client.Open("data/same.txt", FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 2;
            stream.Write("CD"u8);
        }

        Assert.Equal("abCDef", await Sandbox.DownloadTextAsync("same.txt"));
    }

    [Fact]
    public async Task A_ZipArchive_opened_for_update_and_only_read_uploads_nothing()
    {
        using (var zipped = new MemoryStream())
        {
            using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = new StreamWriter(zip.CreateEntry("a.txt").Open());
                entry.Write("inside the zip");
            }

            // Update mode rewrites the archive when disposed, recompressing every entry opened. An
            // archive it rewrote itself comes out byte for byte the same; one made in Create mode
            // does not, and its first rewrite is a change (which is uploaded).
            ReadInUpdateMode(zipped);
            await Sandbox.UploadAsync("archive.zip", zipped.ToArray());
        }

        var client = Sandbox.CreateClient();
        client.ReadAllBytes("data/archive.zip");
        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;

        Assert.Equal("inside the zip", ReadInUpdateMode(client.Open("data/archive.zip", FileMode.Open, FileAccess.ReadWrite)));

        Assert.DoesNotContain((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before), r => r.StartsWith("PUT", StringComparison.Ordinal));
    }

    private static string ReadInUpdateMode(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: stream is MemoryStream);
        using var reader = new StreamReader(zip.GetEntry("a.txt")!.Open());
        return reader.ReadToEnd();
    }
}
