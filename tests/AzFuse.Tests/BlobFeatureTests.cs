using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Blob properties and metadata, access tiers, leases across processes, and service-side copies.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobFeatureTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task GetProperties_tells_size_times_type_md5_tier_lease_and_metadata_and_SetMetadata_replaces_them()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/p/report.json", "{}");

        client.SetMetadata("data/p/report.json", new Dictionary<string, string> { ["owner"] = "team-a", ["run"] = "7" });
        var properties = await client.GetPropertiesAsync("data/p/report.json");

        Assert.Equal(("data/p/report.json", 2L), (properties.Path, properties.Length));
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal(Convert.ToBase64String(MD5.HashData("{}"u8)), properties.ContentMd5);
        Assert.NotNull(properties.CreatedOn);
        Assert.NotNull(properties.LastModified);
        Assert.Equal("available", properties.LeaseState);
        Assert.Equal("team-a", properties.Metadata["owner"]);
        Assert.Equal("7", properties.Metadata["run"]);

        client.SetMetadata("data/p/report.json", new Dictionary<string, string>());
        Assert.Empty(client.GetProperties("data/p/report.json").Metadata);
        Assert.Equal("{}", await Sandbox.DownloadTextAsync("p/report.json"));
        Assert.Throws<FileNotFoundException>(() => client.GetProperties("data/p/missing.json"));
        Assert.Throws<FileNotFoundException>(() => client.SetMetadata("data/p/missing.json", new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Access_tiers_are_set_and_listed_and_an_archived_blob_cannot_be_read_with_a_message_that_says_how_to_rehydrate()
    {
        await Sandbox.UploadManyAsync([("t/cool.bin", [1]), ("t/archived.bin", [2]), ("t/hot.bin", [3])]);
        var client = Sandbox.CreateClient();

        client.SetAccessTier("data/t/cool.bin", AzFuseAccessTier.Cool);
        await client.SetAccessTierAsync("data/t/archived.bin", AzFuseAccessTier.Archive);

        Assert.Equal("Cool", client.GetProperties("data/t/cool.bin").AccessTier);
        Assert.Equal("Archive", client.GetProperties("data/t/archived.bin").AccessTier);
        var listed = client.ListEntries("data/t").ToDictionary(e => e.Path);
        Assert.Equal("Cool", listed["data/t/cool.bin"].AccessTier);
        Assert.Equal("Archive", listed["data/t/archived.bin"].AccessTier);
        Assert.NotNull(listed["data/t/hot.bin"].CreatedOn);

        var ex = Assert.Throws<AzFuseException>(() => client.ReadAllBytes("data/t/archived.bin"));
        Assert.Contains("Archive tier", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SetAccessTier", ex.Message, StringComparison.Ordinal);
        Assert.Contains("azfuse tier hot", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => client.SetAccessTier("data/t/missing.bin", AzFuseAccessTier.Cold));
    }

    [Fact]
    public async Task A_lease_held_by_one_process_blocks_a_second_processs_acquire_until_released()
    {
        await Sandbox.UploadAsync("lock/job.lock", "");
        var holder = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "lease", "data/lock/job.lock");
        Assert.Equal("leased", await holder.StandardOutput.ReadLineAsync());
        var client = Sandbox.CreateClient();

        var refused = Assert.Throws<AzFuseException>(() => client.AcquireLease("data/lock/job.lock", timeout: TimeSpan.Zero));
        Assert.Contains("leased by someone else", refused.Message, StringComparison.Ordinal);
        var writeRefused = Assert.Throws<AzFuseTransferException>(() => client.WriteAllText("data/lock/job.lock", "overwrite"));
        Assert.Contains("leased", writeRefused.Message, StringComparison.Ordinal);
        var waiting = client.AcquireLeaseAsync("data/lock/job.lock", TimeSpan.FromSeconds(15), timeout: TimeSpan.FromMinutes(1));
        Assert.False(waiting.IsCompleted);

        await holder.StandardInput.WriteLineAsync("release");
        await using var lease = await waiting;
        var (exit, stdout, stderr) = await HelperProcess.CompleteAsync(holder);

        Assert.True(exit == 0, stderr);
        Assert.Contains("released", stdout, StringComparison.Ordinal);
        Assert.Equal("leased", client.GetProperties("data/lock/job.lock").LeaseState);
        Assert.False(lease.IsLost);
    }

    [Fact]
    public async Task A_broken_lease_is_reported_as_lost_not_silently_dropped()
    {
        await Sandbox.UploadAsync("lock/broken.lock", "");
        var client = Sandbox.CreateClient();
        var lease = client.AcquireLease("data/lock/broken.lock", TimeSpan.FromSeconds(15));

        client.BreakLease("data/lock/broken.lock");

        // The next renewal (every 5 s) finds the lease gone: waited for on the lease's own signal, not a clock.
        await Task.Delay(Timeout.Infinite, lease.Lost).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(lease.IsLost);
        var ex = Assert.Throws<AzFuseException>(lease.Dispose);
        Assert.Contains("was lost while it was held", ex.Message, StringComparison.Ordinal);
        using var again = client.AcquireLease("data/lock/broken.lock", timeout: TimeSpan.Zero);
        Assert.False(again.IsLost);
    }

    [Fact]
    public async Task A_copy_between_two_containers_of_two_mappings_is_byte_exact_and_drops_the_stale_cached_copy()
    {
        // A second container and storage account file, mapped as 'archive': the Python tool's two-config setup.
        await using var second = await SecondContainerAsync();
        var content = TestContent.For(3, 700_000);
        await Sandbox.UploadAsync("models/m.bin", content);
        var client = new AzFuseClient(second.Options);
        client.WriteAllText("archive/models/m.bin", "stale");
        client.ReadAllText("archive/models/m.bin");

        await client.CopyAsync("data/models/m.bin", "archive/models/m.bin");

        Assert.Equal(content, await second.Container.DownloadAsync("backup/models/m.bin"));
        Assert.Equal(MD5.HashData(content), await second.Container.ContentMd5Async("backup/models/m.bin"));
        Assert.Equal(content, client.ReadAllBytes("archive/models/m.bin"));
        Assert.Throws<FileNotFoundException>(() => client.Copy("data/models/none.bin", "archive/models/none.bin"));
    }

    [Fact]
    public async Task A_copy_from_another_clients_mappings_copies_the_same_path_as_the_Python_tools_u_dash_f()
    {
        await using var second = await SecondContainerAsync();
        await second.Container.UploadAsync("backup/shared/x.txt", "from the other config"u8.ToArray());
        // The other mapping file maps 'data' to the second container: the same logical path, elsewhere.
        var otherMapping = Path.Combine(Sandbox.Root, "other.yaml");
        File.WriteAllText(otherMapping, $"- {{cache: {Path.Combine(Sandbox.Root, "cache", "other")}, local: data, remote: backup, storage_account: second}}\n");
        var otherOptions = Sandbox.CreateOptions();
        otherOptions.MappingFile = otherMapping;
        var client = Sandbox.CreateClient();

        client.Copy(new AzFuseClient(otherOptions), "data/shared/x.txt", "data/shared/x.txt");

        Assert.Equal("from the other config", await Sandbox.DownloadTextAsync("shared/x.txt"));
    }

    /// <summary>A second container with its own storage account file ('second') and a mapping 'archive' → backup/ in it, beside the sandbox's.</summary>
    private async Task<SecondContainer> SecondContainerAsync()
    {
        var container = await AzFuseSandbox.CreateAsync(Server);
        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "second.yaml"), $"account_name: {AzuriteServer.AccountName}\naccount_key: {AzuriteServer.AccountKey}\ncontainer_name: {container.ContainerName}\nendpoint: {Server.Endpoint}\n");
        File.AppendAllText(Sandbox.MappingFile, $"- cache: {Path.Combine(Sandbox.Root, "cache", "archive")}\n  local: archive\n  remote: backup\n  storage_account: second\n");
        return new SecondContainer(new BackupView(container), Sandbox.CreateOptions());
    }

    private sealed record SecondContainer(BackupView Container, AzFuseOptions Options) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Container.Sandbox.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The second sandbox's container by full blob name (its own prefix is azfuse_data; these tests use backup/).</summary>
    private sealed class BackupView(AzFuseSandbox sandbox)
    {
        public AzFuseSandbox Sandbox => sandbox;

        public Task UploadAsync(string blobName, byte[] content) => sandbox.UploadBlobAsync(blobName, content);

        public Task<byte[]?> DownloadAsync(string blobName) => sandbox.DownloadBlobAsync(blobName);

        public async Task<byte[]?> ContentMd5Async(string blobName) => (await sandbox.GetBlobPropertiesByNameAsync(blobName))?.ContentHash;
    }
}
