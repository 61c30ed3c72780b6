using System.Text;
using AzFuse.Configuration;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>Bounded YAML: aliases may not multiply a mapping or storage account file beyond a cap; ordinary aliases still work.</summary>
public sealed class YamlAliasTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_alias_bomb_in_the_mapping_file_is_refused_naming_the_file_and_line()
    {
        var file = _temp.Write("azfuse.yaml", "- local: data\n  remote: r\n  cache: /tmp/c\n  storage_account: s\n" + Bomb("  ", levels: 10) + "  ? *j\n  : used as a key\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Equal(file, ex.FilePath);
        Assert.Equal(8, ex.Line); // the fourth level: its aliases add 11,110 nodes
        Assert.Contains("aliases", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_bomb_in_a_storage_account_file_is_refused_naming_the_file_and_line()
    {
        var file = _temp.Write("accounts/bomb.yaml", "account_name: a\ncontainer_name: c\nsas_token: '?sv=x'\n" + Bomb(string.Empty, levels: 10));
        var loader = new StorageAccountLoader(Path.GetDirectoryName(file)!);

        var ex = Assert.Throws<AzFuseConfigurationException>(() => loader.Get("bomb", new MountMapping("data", "r", "/tmp/c", "bomb", "azfuse.yaml", 1)));

        Assert.Equal(file, ex.FilePath);
        Assert.True(ex.Line > 3, $"line {ex.Line}");
    }

    [Fact]
    public void Ordinary_aliases_still_load()
    {
        var file = _temp.Write("azfuse.yaml", """
            - cache: &cache /tmp/azfuse/shared
              local: data
              remote: azfuse_data
              storage_account: &account storage_config_name
            - cache: *cache
              local: models
              remote: models
              storage_account: *account
            """);

        var mappings = MappingFileLoader.Load(file);

        Assert.Equal(["storage_config_name", "storage_config_name"], mappings.Select(m => m.StorageAccount));
        Assert.Equal(mappings[0].CacheRoot, mappings[1].CacheRoot);
    }

    /// <summary>Ten levels of ten aliases each: 10^10 nodes when expanded, from a few hundred bytes.</summary>
    private static string Bomb(string indent, int levels)
    {
        var yaml = new StringBuilder($"{indent}a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < levels; i++)
        {
            var previous = (char)('a' + i - 1);
            yaml.Append($"{indent}{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(',', Enumerable.Repeat("*" + previous, 10))}]\n");
        }

        return yaml.ToString();
    }
}
