using AzFuse.Remote;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Every upload is stored with the Content-Type of its extension, so a shared link opens in a browser.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ContentTypeTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private static readonly (string Name, string Type)[] s_files =
    [
        ("notes.txt", "text/plain"),
        ("data.json", "application/json"),
        ("photo.png", "image/png"),
        ("page.html", "text/html"),
        ("weights.zzz", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ];

    [Theory]
    [InlineData(AzFuseTransferEngine.Http)]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    public async Task Uploads_one_by_one_carry_the_type_of_their_extension(AzFuseTransferEngine engine)
    {
        Sandbox.Engine = engine;
        var client = Sandbox.CreateClient();

        foreach (var (name, _) in s_files)
        {
            client.WriteAllText($"data/one/{name}", name);
        }

        foreach (var (name, type) in s_files)
        {
            Assert.Equal(type, (await Sandbox.GetBlobPropertiesAsync($"one/{name}"))!.ContentType);
        }
    }

    [Fact]
    public async Task An_azcopy_batch_upload_carries_them_too()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        var client = Sandbox.CreateClient();

        using (client.AsyncUpload())
        {
            foreach (var (name, _) in s_files)
            {
                client.WriteAllText($"data/batch/{name}", name);
            }
        }

        // azcopy names the types itself from the same extensions; it may add a charset to text,
        // and it sniffs the content of a file whose extension it does not know (text here).
        foreach (var (name, type) in s_files.Where(f => f.Type != "application/octet-stream"))
        {
            Assert.StartsWith(type, (await Sandbox.GetBlobPropertiesAsync($"batch/{name}"))!.ContentType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_upload_sent_as_blocks_carries_it()
    {
        Sandbox.Engine = AzFuseTransferEngine.Http;
        var content = TestContent.For(3, (int)BlobService.SingleRequestUploadLimit + 1);

        Sandbox.CreateClient().WriteAllBytes("data/big.png", content);

        Assert.Equal("image/png", (await Sandbox.GetBlobPropertiesAsync("big.png"))!.ContentType);
        Assert.True(await Sandbox.CommittedBlockCountAsync("big.png") > 1);
    }

    [Fact]
    public void The_map_reads_extensions_case_insensitively()
    {
        Assert.Equal("image/png", ContentTypes.Of("a/B.PNG"));
        Assert.Equal("application/octet-stream", ContentTypes.Of("a/trailing."));
    }
}
