using AzFuse.Configuration;
using AzFuse.Paths;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

public sealed class PathResolverTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PathResolver _resolver;

    public PathResolverTests()
    {
        _temp.Write("acct.yaml", "account_name: acct\naccount_key: null\nsas_token: null\ncontainer_name: cont\n");
        var mappings = new[]
        {
            new MountMapping("data", "azfuse_data", "/tmp/azfuse/data", "acct", "/m.yaml", 1),
            new MountMapping("data/special", "elsewhere", "/tmp/azfuse/special", "acct", "/m.yaml", 5),
            new MountMapping("/mnt/models", "", "/tmp/azfuse/models", "acct", "/m.yaml", 9),
        };
        _resolver = new PathResolver(mappings, new StorageAccountLoader(_temp.Path));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Logical_path_maps_to_cache_path_and_remote_blob_by_prefix()
    {
        var resolved = _resolver.Resolve("data/abc.txt")!.Value;

        Assert.Equal("/tmp/azfuse/data/abc.txt", resolved.CachePath);
        Assert.Equal("azfuse_data/abc.txt", resolved.Blob.BlobName);
        Assert.Equal("cont", resolved.Blob.Account.ContainerName);
        Assert.Equal("https://acct.blob.core.windows.net/cont/azfuse_data/abc.txt", resolved.Blob.Uri.AbsoluteUri);
    }

    [Fact]
    public void First_matching_mapping_wins()
    {
        Assert.Equal("azfuse_data/special/x", _resolver.Resolve("data/special/x")!.Value.Blob.BlobName);
    }

    [Fact]
    public void Prefixes_match_whole_segments_only()
    {
        Assert.Null(_resolver.Resolve("database/x.txt"));
        Assert.Null(_resolver.Resolve("dat/x.txt"));
    }

    [Fact]
    public void Relative_and_absolute_spellings_resolve_alike()
    {
        var relative = _resolver.Resolve("data/a/b.txt")!.Value;
        var absolute = _resolver.Resolve(Path.Combine(Environment.CurrentDirectory, "data/a/b.txt"))!.Value;
        var dotted = _resolver.Resolve("./data/./a//b.txt")!.Value;

        Assert.Equal(relative.CachePath, absolute.CachePath);
        Assert.Equal(relative.CachePath, dotted.CachePath);
        Assert.Equal("/tmp/azfuse/models/ckpt/1.pt", _resolver.Resolve("/mnt/models/ckpt/1.pt")!.Value.CachePath);
    }

    [Fact]
    public void Empty_remote_maps_to_the_container_root()
    {
        Assert.Equal("ckpt/1.pt", _resolver.Resolve("/mnt/models/ckpt/1.pt")!.Value.Blob.BlobName);
    }

    [Fact]
    public void Windows_separators_are_normalised()
    {
        var resolved = _resolver.Resolve(@"data\sub\abc.txt")!.Value;

        Assert.Equal("/tmp/azfuse/data/sub/abc.txt", resolved.CachePath);
        Assert.Equal("azfuse_data/sub/abc.txt", resolved.Blob.BlobName);
    }

    [Fact]
    public void Dot_dot_inside_a_mapping_is_resolved()
    {
        Assert.Equal("azfuse_data/b.txt", _resolver.Resolve("data/a/../b.txt")!.Value.Blob.BlobName);
    }

    [Theory]
    [InlineData("data/../../etc/passwd")]
    [InlineData("data/../x.txt")]
    [InlineData("data/a/../../../x")]
    public void Dot_dot_that_leaves_the_mapping_is_rejected_with_the_path_named(string path)
    {
        var ex = Assert.Throws<ArgumentException>(() => _resolver.Resolve(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("escape", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_path_is_rejected(string path)
    {
        var ex = Assert.Throws<ArgumentException>(() => _resolver.Resolve(path));

        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Unmapped_path_is_a_plain_local_file()
    {
        Assert.Null(_resolver.Resolve("/etc/hostname"));
        Assert.Null(_resolver.Resolve("other/x.txt"));
    }

    [Theory]
    [InlineData("data/a/b.txt", "./data/a/b.txt")]
    [InlineData("data/special/x/y", "data/special//x/./y")]
    [InlineData("data", "./data/")]
    [InlineData("/mnt/models/ckpt/1.pt", "/mnt//models/./ckpt/1.pt")]
    [InlineData("/mnt/models", "/mnt/models/.")]
    public void Plain_and_untidy_spellings_of_a_path_resolve_alike(string plain, string untidy)
    {
        var a = _resolver.Resolve(plain)!.Value;
        var b = _resolver.Resolve(untidy)!.Value;

        Assert.Equal((b.CachePath, b.CacheRoot, b.Blob.BlobName, b.Mapping), (a.CachePath, a.CacheRoot, a.Blob.BlobName, a.Mapping));
    }

    [Fact]
    public void A_mapping_above_the_working_directory_covers_relative_paths_plain_or_not()
    {
        var parent = Path.GetDirectoryName(Environment.CurrentDirectory)!;
        var here = Path.GetFileName(Environment.CurrentDirectory);
        var resolver = new PathResolver([new MountMapping(parent, "up", "/tmp/azfuse/up", "acct", "/m.yaml", 1)], new StorageAccountLoader(_temp.Path));

        var plain = resolver.Resolve("sub/x.bin")!.Value;
        var untidy = resolver.Resolve("./sub/../sub/x.bin")!.Value;

        Assert.Equal($"/tmp/azfuse/up/{here}/sub/x.bin", plain.CachePath);
        Assert.Equal($"up/{here}/sub/x.bin", plain.Blob.BlobName);
        Assert.Equal(plain.CachePath, untidy.CachePath);
    }

    [Fact]
    public void Resolving_many_paths_at_once_gives_what_resolving_each_gives_and_counts_the_unmapped()
    {
        string[] paths = ["data/a.txt", "data/special/x", "./data/b/../c.txt", "/mnt/models/m.pt", "/etc/hostname", "database/x", "data"];

        var all = _resolver.ResolveAll(paths, out var unmapped);

        Assert.Equal(paths.Select(p => _resolver.Resolve(p)).OfType<ResolvedPath>(), all);
        Assert.Equal(2, unmapped);
    }

    [Fact]
    public void A_large_list_resolved_side_by_side_keeps_its_order_and_fails_on_its_first_bad_path()
    {
        var paths = Enumerable.Range(0, 30_000).Select(i => i % 7 == 0 ? $"/etc/{i}" : $"data/{i % 100}/{i}.bin").ToList();

        var all = _resolver.ResolveAll(paths, out var unmapped);

        Assert.Equal(paths.Where(p => p.StartsWith("data/", StringComparison.Ordinal)).Select(p => _resolver.Resolve(p)!.Value), all);
        Assert.Equal(paths.Count(p => p.StartsWith("/etc/", StringComparison.Ordinal)), unmapped);

        paths[25_000] = "data/../../escaped-late";
        paths[9_000] = "data/../../escaped-first";
        var ex = Assert.Throws<ArgumentException>(() => _resolver.ResolveAll(paths, out _));
        Assert.Contains("escaped-first", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/.azfuse/staging/x")]
    [InlineData("data/.x.txt.azfuse-lock")]
    [InlineData("data/.x.txt.azfuse-partial")]
    public void Names_that_AzFuse_keeps_for_itself_are_rejected(string path)
    {
        Assert.Throws<ArgumentException>(() => _resolver.Resolve(path));
    }
}
