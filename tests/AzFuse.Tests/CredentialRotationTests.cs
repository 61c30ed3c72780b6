using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>A SAS replaced in its storage account file is used by the same process, on every route.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CredentialRotationTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_sas_token_replaced_in_its_file_is_used_for_the_next_request_after_a_403()
    {
        await Sandbox.UploadAsync("a.txt", "rotated");
        Sandbox.WriteExpiredSas();
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);
        var denied = Assert.Throws<AzFuseException>(() => client.Open("data/a.txt", FileMode.Open));
        Assert.Contains("403", denied.Message);

        Sandbox.WriteFreshSas();

        Assert.Equal("rotated", client.ReadAllText("data/a.txt"));
        Assert.Contains(logs.Lines, l => l.Contains("[29]", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("[33]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Http)]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    public async Task Uploads_denied_by_an_expired_sas_resume_in_the_same_process_once_the_file_holds_a_new_one(AzFuseTransferEngine engine)
    {
        Sandbox.Engine = engine;
        Sandbox.WriteReadOnlySas();
        var client = Sandbox.CreateClient();
        var failed = Assert.Throws<AzFuseTransferException>(() =>
        {
            using (client.AsyncUpload())
            {
                for (var i = 0; i < 3; i++)
                {
                    client.WriteAllText($"data/rot/{i}.txt", $"content {i}");
                }
            }
        });
        Assert.Equal(3, failed.Failures.Count);

        Sandbox.WriteFreshSas();

        Assert.Equal(3, await client.ResumePendingUploadsAsync());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"rot/{i}.txt"));
        }
    }
}
