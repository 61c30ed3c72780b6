using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Without AZFUSE_USE_FUSE=1 every call works on the local path and no configuration is read.</summary>
public sealed class DisabledModeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static AzFuseClient DisabledClient() => new(new AzFuseOptions
    {
        Enabled = false,
        MappingFile = "/nonexistent/azfuse.yaml", // would throw if it were read
        AzCopyPath = "/nonexistent/azcopy",
    });

    [Fact]
    public void Open_reads_the_local_file_itself()
    {
        var file = _temp.Write("data/abc.txt", "local content");

        using var reader = new StreamReader(DisabledClient().Open(file, FileMode.Open));

        Assert.Equal("local content", reader.ReadToEnd());
    }

    [Fact]
    public void Open_for_writing_writes_the_local_file()
    {
        var file = Path.Combine(_temp.Path, "out.txt");

        using (var writer = new StreamWriter(DisabledClient().Open(file, FileMode.Create)))
        {
            writer.Write("written");
        }

        Assert.Equal("written", File.ReadAllText(file));
    }

    [Fact]
    public async Task AsyncUpload_WriteAllText_and_ResumePendingUploads_work_on_local_files_and_read_no_configuration()
    {
        var client = DisabledClient();
        var file = Path.Combine(_temp.Path, "scoped.txt");

        await using (client.AsyncUpload(shmAsTmp: true))
        {
            client.WriteAllText(file, "local");
        }

        Assert.Equal("local", File.ReadAllText(file));
        Assert.Equal("local", client.ReadAllText(file));
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public void Open_of_missing_local_file_throws_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => DisabledClient().Open(Path.Combine(_temp.Path, "missing.txt"), FileMode.Open));
    }

    [Fact]
    public async Task Prepare_and_ClearCache_do_nothing_and_read_no_configuration()
    {
        var client = DisabledClient();

        client.Prepare(["data/a.txt", "data/b.txt"]);
        await client.PrepareAsync(["data/a.txt"]);
        client.ClearCache("data/a.txt");

        Assert.False(client.IsEnabled);
    }

    [Fact]
    public void Enabled_without_a_mapping_file_says_which_variable_to_set()
    {
        var client = new AzFuseClient(new AzFuseOptions { Enabled = true });

        var ex = Assert.Throws<AzFuseConfigurationException>(() => client.Open("data/a.txt", FileMode.Open));

        Assert.Contains("AZFUSE_CLOUD_FUSE_CONFIG_FILE", ex.Message);
    }

    [Fact]
    public void Options_reject_invalid_values_by_name()
    {
        var options = new AzFuseOptions();

        Assert.Equal("LockTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => options.LockTimeout = TimeSpan.Zero).ParamName);
        Assert.Equal("SasLifetime", Assert.Throws<ArgumentOutOfRangeException>(() => options.SasLifetime = TimeSpan.FromDays(30)).ParamName);
    }
}
