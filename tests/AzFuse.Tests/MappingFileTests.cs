using AzFuse.Configuration;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

public sealed class MappingFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Python_tool_mapping_file_loads_unchanged()
    {
        // The example from the Python tool's README, byte for byte.
        var file = _temp.Write("azfuse.yaml", """
            - cache: /tmp/azfuse/data
              local: data
              remote: azfuse_data
              storage_account: storage_config_name
            - cache: /tmp/azfuse/models
              local: models
              remote: models
              storage_account: storage_config_name
            """);

        var mappings = MappingFileLoader.Load(file);

        Assert.Equal(2, mappings.Count);
        Assert.Equal(("data", "azfuse_data", "/tmp/azfuse/data", "storage_config_name"), (mappings[0].Local, mappings[0].Remote, mappings[0].Cache, mappings[0].StorageAccount));
        Assert.Equal(("models", "models", "/tmp/azfuse/models"), (mappings[1].Local, mappings[1].Remote, mappings[1].Cache));
        Assert.Equal(5, mappings[1].Line);
    }

    [Fact]
    public void Unknown_keys_are_ignored()
    {
        var file = _temp.Write("azfuse.yaml", "- {local: data, remote: r, cache: /c, storage_account: s, comment: later versions may add keys}\n");

        Assert.Single(MappingFileLoader.Load(file));
    }

    [Fact]
    public void Empty_file_means_no_mappings()
    {
        Assert.Empty(MappingFileLoader.Load(_temp.Write("azfuse.yaml", "")));
    }

    [Fact]
    public void Missing_key_names_the_file_the_line_and_the_key()
    {
        var file = _temp.Write("azfuse.yaml", "- local: data\n  remote: r\n  cache: /c\n  storage_account: s\n- local: models\n  cache: /m\n  storage_account: s\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Equal(file, ex.FilePath);
        Assert.Equal(5, ex.Line);
        Assert.Contains($"{file}:5", ex.Message);
        Assert.Contains("'remote'", ex.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_the_line()
    {
        var file = _temp.Write("azfuse.yaml", "- local: data\n  remote: r\n  cache: [unclosed\n  storage_account: s\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Equal(file, ex.FilePath);
        Assert.NotNull(ex.Line);
        Assert.Contains($"{file}:{ex.Line}", ex.Message);
        Assert.Contains("malformed", ex.Message);
    }

    [Fact]
    public void A_mapping_instead_of_a_list_is_rejected_with_an_example()
    {
        var file = _temp.Write("azfuse.yaml", "local: data\nremote: r\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Contains("YAML list", ex.Message);
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void Missing_mapping_file_is_named()
    {
        var path = Path.Combine(_temp.Path, "nope.yaml");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(path));

        Assert.Equal(path, ex.FilePath);
        Assert.Contains("does not exist", ex.Message);
    }
}
