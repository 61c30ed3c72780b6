using AzFuse.Cache;
using AzFuse.Configuration;
using AzFuse.IO;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Python;

/// <summary>
/// The Python tool's configuration forms, each loaded from what a Python user has: its environment
/// variables and its YAML files, written as for the Python tool.
/// </summary>
public sealed class PythonConfigurationTests : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly MountMapping s_mapping = new("data", "r", "/c", "child", "/cfg/azfuse.yaml", 3);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static AzFuseOptions FromVariables(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return AzFuseOptions.FromVariables(new EnvironmentSettings(name => map.GetValueOrDefault(name)));
    }

    [Fact]
    public void QD_variables_are_read_before_the_AZFUSE_ones()
    {
        var options = FromVariables(
            ("QD_USE_FUSE", "1"),
            ("QD_CLOUD_FUSE_CONFIG_FILE", "qd.yaml"),
            ("AZFUSE_CLOUD_FUSE_CONFIG_FILE", "azfuse.yaml"),
            ("AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER", "accounts"));

        Assert.True(options.Enabled);
        Assert.Equal("qd.yaml", options.MappingFile);
        Assert.Equal("accounts", options.StorageAccountFolder);
    }

    [Theory]
    [InlineData("AZFUSE_USE_FUSE", "1", true)]
    [InlineData("AZFUSE_USE_FUSE", "2", true)]
    [InlineData("AZFUSE_USE_FUSE", "0", false)]
    [InlineData("AZFUSE_TSV_USE_FUSE", "1", true)]
    [InlineData("QD_TSV_USE_FUSE", "1", true)]
    [InlineData("AZFUSE_USE_FUSE", "true", true)]
    [InlineData("AZFUSE_USE_FUSE", "false", false)]
    public void USE_FUSE_and_TSV_USE_FUSE_turn_AzFuse_on_as_the_Python_tool_reads_them(string variable, string value, bool on)
    {
        Assert.Equal(on, FromVariables((variable, value)).Enabled);
    }

    [Fact]
    public void The_two_switches_add_up_as_integers()
    {
        Assert.True(FromVariables(("AZFUSE_TSV_USE_FUSE", "1"), ("AZFUSE_USE_FUSE", "0")).Enabled);
        Assert.False(FromVariables(("AZFUSE_TSV_USE_FUSE", "1"), ("AZFUSE_USE_FUSE", "-1")).Enabled);
        Assert.False(FromVariables().Enabled);
    }

    [Fact]
    public void A_switch_that_is_not_a_number_names_the_variable_and_what_to_write()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => FromVariables(("QD_USE_FUSE", "maybe")));

        Assert.Contains("QD_USE_FUSE is 'maybe'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("write 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_collection_settings_become_the_cache_limit()
    {
        var byDefault = FromVariables(("AZFUSE_USE_FUSE", "1"), ("AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "1"));
        var fraction = FromVariables(("AZFUSE_USE_FUSE", "1"), ("AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "1"), ("AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX", "0.3"));
        var bytes = FromVariables(("QD_USE_FUSE", "1"), ("QD_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "1"), ("QD_CLOUD_FUSE_GARBAGE_COLLECTION_MAX", "1e12"));
        var notEnabled = FromVariables(("AZFUSE_USE_FUSE", "1"), ("AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX", "0.3"));

        Assert.Equal((null, 0.5), (byDefault.MaxCacheSize, byDefault.MaxCacheDiskFraction));
        Assert.Equal((null, 0.3), (fraction.MaxCacheSize, fraction.MaxCacheDiskFraction));
        Assert.Equal((1_000_000_000_000, null), (bytes.MaxCacheSize, bytes.MaxCacheDiskFraction));
        Assert.Equal((null, null), (notEnabled.MaxCacheSize, notEnabled.MaxCacheDiskFraction));
        var ex = Assert.Throws<AzFuseConfigurationException>(() => FromVariables(("AZFUSE_USE_FUSE", "1"), ("AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "1"), ("AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX", "half")));
        Assert.Contains("AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX is 'half'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_of_the_disk_is_a_limit_in_bytes_of_the_cache_folders_own_disk()
    {
        var cache = Path.Combine(_temp.Path, "not", "created", "yet");
        var mappings = MappingSource.Load(new AzFuseOptions { Mappings = { new AzFuseMapping { Local = "data", Remote = "r", Cache = cache, StorageAccount = "s" } }, MaxCacheDiskFraction = 0.25 }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var bound = Assert.Single(CacheBound.ForRoots(mappings));

        Assert.Equal(cache, bound.Key);
        Assert.Equal((long)(DiskSpace.TotalBytes(_temp.Path)!.Value * 0.25), bound.Value.MaxBytes);
    }

    [Fact]
    public void Tilde_in_cache_is_the_home_folder_and_cache_lock_loads_quietly()
    {
        // A mapping file as Python users write it, with the Python tool's cache_lock key.
        var file = _temp.Write("azfuse.yaml", """
            - cache: ~/azfuse/data
              local: data
              remote: azfuse_data
              storage_account: storage_config_name
              cache_lock: true
            - cache: '~'
              local: home
              remote: home
              storage_account: storage_config_name
            """);
        var logs = new CapturingLoggerFactory();

        var mappings = MappingFileLoader.Load(file, logs.CreateLogger("test"));

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Join(home, "azfuse/data"), mappings[0].Cache);
        Assert.Equal(home, mappings[1].Cache);
        Assert.Empty(logs.Lines);
    }

    [Fact]
    public void Another_users_tilde_is_refused_with_the_fix()
    {
        var file = _temp.Write("azfuse.yaml", "- {cache: ~nobody-else/c, local: data, remote: r, storage_account: s}\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Contains($"{file}:1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("write the folder out", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("50%", 0.5)]
    [InlineData("0.5", 0.5)]
    [InlineData("12.5%", 0.125)]
    public void Max_cache_size_may_be_a_part_of_the_disk(string value, double fraction)
    {
        var file = _temp.Write("azfuse.yaml", $"- {{cache: /c, local: data, remote: r, storage_account: s, max_cache_size: '{value}', min_free_space: 2GB}}\n");

        var mapping = Assert.Single(MappingFileLoader.Load(file));

        Assert.Equal((null, fraction, 2_000_000_000), (mapping.MaxCacheSize, mapping.MaxCacheFraction, mapping.MinFreeSpace));
    }

    [Fact]
    public void A_storage_account_file_extends_its_base_as_the_Python_tool_reads_it()
    {
        // common.yaml holds the account; each container's file names it and adds its own keys.
        _temp.Write("common.yaml", $"account_name: accountname\naccount_key: {Key}\nsas_token: null\ncontainer_name: shared\nendpoint: http://127.0.0.1:10000/accountname\n");
        _temp.Write("child.yaml", "_base_: common.yaml\ncontainer_name: mine\n");

        var account = new StorageAccountLoader(_temp.Path).Get("child", s_mapping);

        Assert.Equal(("accountname", "mine", Key), (account.AccountName, account.ContainerName, account.AccountKey));
        Assert.Equal("http://127.0.0.1:10000/accountname/mine", account.ContainerUri.AbsoluteUri);
    }

    [Fact]
    public void Bases_chain_from_folder_to_folder_and_nested_mappings_merge_key_by_key()
    {
        _temp.Write("shared/root.yaml", "account_name: a\ncontainer_name: c\nextra:\n  one: 1\n  two: 2\n");
        _temp.Write("shared/middle.yaml", "_base_: root.yaml\nextra:\n  two: 20\n");
        var child = _temp.Write("child.yaml", "_base_: shared/middle.yaml\naccount_key: null\n");

        var root = Assert.IsType<YamlDotNet.RepresentationModel.YamlMappingNode>(YamlInheritance.Load(child, "storage account file"));

        var extra = Assert.IsType<YamlDotNet.RepresentationModel.YamlMappingNode>(root.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("extra")]);
        Assert.Equal("1", YamlFile.GetScalar(extra, "one", child));
        Assert.Equal("20", YamlFile.GetScalar(extra, "two", child));
        Assert.Equal("c", YamlFile.GetScalar(root, "container_name", child));
        Assert.False(root.Children.ContainsKey(new YamlDotNet.RepresentationModel.YamlScalarNode("_base_")));
    }

    [Fact]
    public void An_error_in_an_inherited_value_names_the_base_file_that_holds_it()
    {
        var common = _temp.Write("common.yaml", "account_name: a\naccount_key: not-base64!\n");
        _temp.Write("child.yaml", "_base_: common.yaml\ncontainer_name: mine\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => new StorageAccountLoader(_temp.Path).Get("child", s_mapping));

        Assert.Contains($"{common}:2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("account_key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_of_bases_is_refused_naming_the_files()
    {
        _temp.Write("a.yaml", "_base_: b.yaml\naccount_name: a\n");
        _temp.Write("b.yaml", "_base_: a.yaml\ncontainer_name: c\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => YamlInheritance.Load(Path.Combine(_temp.Path, "a.yaml"), "storage account file"));

        Assert.Contains("loop", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_base_is_read_again_by_a_running_process()
    {
        _temp.Write("common.yaml", "account_name: a\nsas_token: '?sv=1&sig=old'\n");
        _temp.Write("child.yaml", "_base_: common.yaml\ncontainer_name: mine\n");
        var loader = new StorageAccountLoader(_temp.Path);
        var account = loader.Get("child", s_mapping);

        _temp.Write("common.yaml", "account_name: a\nsas_token: '?sv=1&sig=rotated-by-a-script'\n");

        Assert.True(loader.Reload(account));
        Assert.Equal("sv=1&sig=rotated-by-a-script", loader.Current(account).SasToken);
    }

    [Fact]
    public void Mappings_given_in_code_are_checked_as_the_files_entries()
    {
        var options = new AzFuseOptions { Mappings = { new AzFuseMapping { Local = "data", Remote = "r", Cache = "~/c", StorageAccount = "s" }, new AzFuseMapping { Local = "more", Remote = "r", Cache = "", StorageAccount = "s" } } };

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingSource.Load(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("AzFuseOptions.Mappings:2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'cache'", ex.Message, StringComparison.Ordinal);
    }
}
