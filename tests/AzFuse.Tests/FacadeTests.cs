using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>The static facade, as an application uses it: configured by the environment alone.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FacadeTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Without_AZFUSE_USE_FUSE_the_facade_opens_the_local_path()
    {
        var file = _temp.Write("data/local.txt", "plain local file");

        var (exitCode, stdout, stderr) = await HelperProcess.CompleteAsync(HelperProcess.Start(new Dictionary<string, string>(), _temp.Path, "open", "data/local.txt"));

        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"16 {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))}", stdout.Trim());
    }

    [Fact]
    public async Task With_the_environment_set_the_facade_reads_through_the_cache()
    {
        using var sandbox = await AzFuseSandbox.CreateAsync(azurite.Server);
        await sandbox.UploadAsync("remote.txt", "remote content");

        var (exitCode, stdout, stderr) = await HelperProcess.CompleteAsync(HelperProcess.Start(sandbox.EnvironmentVariables, sandbox.Root, "open", "data/remote.txt"));

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("14 ", stdout);
        Assert.Equal("remote content", File.ReadAllText(sandbox.CachePathOf("remote.txt")));
    }
}
