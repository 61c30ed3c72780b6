using AzFuse.Configuration;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>The cache policy keys of the mapping file, and the options that set their defaults.</summary>
public sealed class CachePolicyConfigurationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("0", 0)]
    [InlineData("45", 45_000)]
    [InlineData("00:05:00", 300_000)]
    public void Durations_read_as_people_write_them(string text, long milliseconds)
    {
        Assert.True(CacheSettingParser.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("50GB", 50_000_000_000)]
    [InlineData("512MB", 512_000_000)]
    [InlineData("2MiB", 2L << 20)]
    [InlineData("1.5TiB", 3L << 39)]
    [InlineData("10G", 10L << 30)]
    [InlineData("4096", 4096)]
    [InlineData("600 kb", 600_000)]
    public void Sizes_read_with_decimal_and_binary_units(string text, long bytes)
    {
        Assert.True(CacheSettingParser.TryParseSize(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    [InlineData("")]
    public void Nonsense_durations_are_rejected(string text) => Assert.False(CacheSettingParser.TryParseDuration(text, out _));

    [Theory]
    [InlineData("big")]
    [InlineData("-1GB")]
    [InlineData("0")]
    [InlineData("50 gigabytes")]
    public void Nonsense_sizes_are_rejected(string text) => Assert.False(CacheSettingParser.TryParseSize(text, out _));

    [Fact]
    public void Mapping_keys_load_and_off_words_turn_a_setting_off()
    {
        var file = _temp.Write("azfuse.yaml", """
            - cache: /tmp/c1
              local: data
              remote: r
              storage_account: s
              revalidate_after: 10m
              max_cache_size: 50GB
            - cache: /tmp/c2
              local: models
              remote: m
              storage_account: s
              revalidate_after: off
              max_cache_size: unlimited
            - cache: /tmp/c3
              local: plain
              remote: p
              storage_account: s
            """);

        var mappings = MappingFileLoader.Load(file);

        Assert.Equal(TimeSpan.FromMinutes(10), mappings[0].RevalidateAfter);
        Assert.Equal(50_000_000_000, mappings[0].MaxCacheSize);
        Assert.True(mappings[0].Revalidates);
        Assert.False(mappings[1].Revalidates);
        Assert.Equal(long.MaxValue, mappings[1].MaxCacheSize);
        Assert.Null(mappings[2].RevalidateAfter);
        Assert.Null(mappings[2].MaxCacheSize);
    }

    [Fact]
    public void A_bad_value_names_the_file_the_line_the_key_and_what_to_write()
    {
        var file = _temp.Write("azfuse.yaml", "- local: data\n  remote: r\n  cache: /c\n  storage_account: s\n  max_cache_size: lots\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => MappingFileLoader.Load(file));

        Assert.Contains($"{file}:1", ex.Message);
        Assert.Contains("max_cache_size 'lots'", ex.Message);
        Assert.Contains("50GB", ex.Message);
    }

    [Fact]
    public void Mappings_sharing_a_cache_folder_must_agree_on_its_size()
    {
        var accounts = _temp.Path;
        File.WriteAllText(Path.Combine(accounts, "s.yaml"), "account_name: a\ncontainer_name: c\naccount_key: null\nsas_token: null\n");
        var file = _temp.Write("azfuse.yaml", """
            - {local: a, remote: a, cache: /tmp/shared, storage_account: s, max_cache_size: 1GB}
            - {local: b, remote: b, cache: /tmp/shared, storage_account: s, max_cache_size: 2GB}
            """);
        var client = new AzFuseClient(new AzFuseOptions { Enabled = true, MappingFile = file, StorageAccountFolder = accounts });

        var ex = Assert.Throws<AzFuseConfigurationException>(() => client.GetCacheStats());

        Assert.Contains("/tmp/shared", ex.Message);
        Assert.Contains($"{file}:1", ex.Message);
        Assert.Contains($"{file}:2", ex.Message);
    }

    [Fact]
    public void Options_reject_a_negative_revalidation_and_a_size_of_zero()
    {
        var options = new AzFuseOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.RevalidateAfter = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxCacheSize = 0);
        options.RevalidateAfter = TimeSpan.Zero;
        options.MaxCacheSize = 1;
    }
}
