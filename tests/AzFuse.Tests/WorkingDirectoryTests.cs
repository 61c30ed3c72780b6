using AzFuse.Configuration;
using AzFuse.Paths;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>The working directory is the process's: tests that change it run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkingDirectoryCollection
{
    public const string Name = "Changes the working directory";
}

[Collection(WorkingDirectoryCollection.Name)]
public sealed class WorkingDirectoryTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _original = Environment.CurrentDirectory;

    public void Dispose()
    {
        Environment.CurrentDirectory = _original;
        _temp.Dispose();
    }

    [Fact]
    public void Relative_paths_keep_the_working_directory_the_resolver_was_made_in_as_the_Python_tool_does()
    {
        _temp.Write("acct.yaml", "account_name: acct\naccount_key: null\nsas_token: null\ncontainer_name: cont\n");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_temp.Path, "elsewhere")).FullName;
        var resolver = new PathResolver([new MountMapping("data", "azfuse_data", "/tmp/azfuse/data", "acct", "/m.yaml", 1)], new StorageAccountLoader(_temp.Path));
        var before = resolver.Resolve("data/abc.txt")!.Value;

        Environment.CurrentDirectory = elsewhere;
        var after = resolver.Resolve("data/abc.txt")!.Value;
        var untidy = resolver.Resolve("./data/x/../abc.txt")!.Value;

        // The Python tool compares "data/abc.txt" with "data" as written: the same file wherever the process is.
        Assert.Equal(("/tmp/azfuse/data/abc.txt", "azfuse_data/abc.txt"), (after.CachePath, after.Blob.BlobName));
        Assert.Equal((before.CachePath, before.Blob.BlobName), (after.CachePath, after.Blob.BlobName));
        Assert.Equal(after.CachePath, untidy.CachePath);
        Assert.Equal(before.CachePath, resolver.Resolve(Path.Combine(_original, "data/abc.txt"))!.Value.CachePath);

        // The new directory's own "data" is not the mapping's: an absolute path there is a local file.
        Assert.Null(resolver.Resolve(Path.Combine(elsewhere, "data/abc.txt")));
    }
}
