using AzFuse.Testing;
using AzFuse.Tests.Cli;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Python;

/// <summary>
/// A Python user's setup, unchanged, against the real Azurite: the Python tool's folder layout and
/// variables, its YAML forms, its in-code mapping list and its garbage-collection settings.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PythonSetupTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_Python_project_folder_works_with_its_variables_its_default_files_and_tilde()
    {
        // The Python tool's layout: aux_data/configs/azfuse.yaml (read when AZFUSE_CLOUD_FUSE_CONFIG_FILE
        // is unset) and aux_data/storage_account/NAME.yaml, here extending a shared base; the cache
        // under ~; AzFuse turned on by the old QD_ name only.
        var project = Path.Combine(Sandbox.Root, "project");
        var home = Path.Combine(Sandbox.Root, "home");
        Directory.CreateDirectory(Path.Combine(project, "aux_data", "configs"));
        Directory.CreateDirectory(Path.Combine(project, "aux_data", "storage_account"));
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(project, "aux_data", "configs", "azfuse.yaml"), """
            - cache: ~/azfuse/data
              local: data
              remote: azfuse_data
              storage_account: azurite
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "aux_data", "storage_account", "common.yaml"), $"account_name: {AzuriteServer.AccountName}\naccount_key: {AzuriteServer.AccountKey}\nsas_token: null\nendpoint: {Server.Endpoint}\n");
        await File.WriteAllTextAsync(Path.Combine(project, "aux_data", "storage_account", "azurite.yaml"), $"_base_: common.yaml\ncontainer_name: {Sandbox.ContainerName}\n");
        await Sandbox.UploadAsync("labels.tsv", "cat\t1\ndog\t2\n");

        var result = await CliProcess.RunAsync(new Dictionary<string, string> { ["QD_USE_FUSE"] = "1", ["HOME"] = home, ["AZFUSE_AZCOPY_PATH"] = RepositoryTools.AzCopy }, project, stdin: null, "cat", "data/labels.tsv");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("cat\t1\ndog\t2\n", result.Stdout);
        Assert.Equal("cat\t1\ndog\t2\n", await File.ReadAllTextAsync(Path.Combine(home, "azfuse", "data", "labels.tsv")));
        Assert.False(Directory.Exists(Path.Combine(project, "~")), "'~' was taken as a folder name");
    }

    [Fact]
    public async Task Without_the_variable_or_the_default_file_the_error_says_both()
    {
        var empty = Path.Combine(Sandbox.Root, "empty");
        Directory.CreateDirectory(empty);

        var result = await CliProcess.RunAsync(new Dictionary<string, string> { ["AZFUSE_USE_FUSE"] = "2" }, empty, stdin: null, "cat", "data/x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("AZFUSE_CLOUD_FUSE_CONFIG_FILE is not set", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(empty, "aux_data", "configs", "azfuse.yaml"), result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mappings_given_in_code_read_and_write_as_the_mapping_file_would()
    {
        // The Python tool's File.ensure_initialized(config=[...]): no mapping file at all.
        await Sandbox.UploadAsync("in/a.txt", "from the service");
        var options = Sandbox.CreateOptions();
        options.MappingFile = Path.Combine(Sandbox.Root, "never-read.yaml");
        options.Mappings.Add(new AzFuseMapping { Local = "data", Remote = AzFuseSandbox.RemotePrefix, Cache = Sandbox.CacheRoot, StorageAccount = "azurite" });
        var client = new AzFuseClient(options);

        Assert.Equal("from the service", client.ReadAllText("data/in/a.txt"));
        client.WriteAllText("data/out/b.txt", "written");

        Assert.Equal("written", await Sandbox.DownloadTextAsync("out/b.txt"));
        Assert.Equal(Sandbox.CacheRoot, Assert.Single(client.GetMappings()).CacheFolder);
    }

    [Fact]
    public async Task The_garbage_collection_limit_keeps_the_cache_under_its_part_of_the_disk()
    {
        // A 4 MiB disk for the cache; the Python tool's settings ask for at most half of it.
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 40).Select(i => ($"gc/{i}.bin", TestContent.For(i, 100_000))));
        using var disk = TinyDisk.Mount(Path.GetDirectoryName(Sandbox.CacheRoot)!, "4m", headroom: long.MaxValue);
        var options = AzFuseOptions.FromVariables(new Configuration.EnvironmentSettings(name => name switch
        {
            "AZFUSE_USE_FUSE" => "1",
            "AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION" => "1",
            _ => null,
        }));
        var sandbox = Sandbox.CreateOptions();
        options.MappingFile = sandbox.MappingFile;
        options.StorageAccountFolder = sandbox.StorageAccountFolder;
        options.AzCopyPath = sandbox.AzCopyPath;
        var client = new AzFuseClient(options);

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(TestContent.For(i, 100_000), client.ReadAllBytes($"data/gc/{i}.bin"));
            var bytes = client.GetCacheStats().Bytes;
            Assert.True(bytes <= 2 << 20, $"after file {i} the cache holds {bytes} bytes, over half of its 4 MiB disk");
        }

        Assert.True(client.GetCacheStats().Evictions > 0);
    }

    [Fact]
    public async Task A_free_space_target_evicts_before_the_disk_runs_low()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 30).Select(i => ($"free/{i}.bin", TestContent.For(i, 100_000))));
        await File.AppendAllTextAsync(Sandbox.MappingFile, "  min_free_space: 1MiB\n");

        // 4 MiB, of which about 2.5 MiB stay free: 30 files of 100 KB would leave none.
        // Mounted over the cache folder's parent: the filler that takes the rest is not a cache file.
        using var disk = TinyDisk.Mount(Path.GetDirectoryName(Sandbox.CacheRoot)!, "4m", headroom: 2_500_000);
        var client = Sandbox.CreateClient();

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(TestContent.For(i, 100_000), client.ReadAllBytes($"data/free/{i}.bin"));
            var free = new DriveInfo(Sandbox.CacheRoot).AvailableFreeSpace;
            Assert.True(free >= 1 << 20, $"after file {i} only {free} bytes are free, under the 1 MiB target");
        }

        Assert.True(client.GetCacheStats().Evictions > 0);
    }
}
