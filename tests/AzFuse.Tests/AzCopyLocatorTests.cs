using AzFuse.Tests.Infrastructure;
using AzFuse.Transfer;

namespace AzFuse.Tests;

public sealed class AzCopyLocatorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Search_order_is_explicit_path_home_code_folder_PATH_then_usr_bin()
    {
        var locator = new AzCopyLocator("/opt/x/azcopy", "/home/u", "/a:/b");

        Assert.Equal(["/opt/x/azcopy", "/home/u/code/azcopy/azcopy", "/a/azcopy", "/b/azcopy", "/usr/bin/azcopy"], locator.Candidates());
    }

    [Fact]
    public void Home_code_folder_wins_over_PATH()
    {
        var home = _temp.Path;
        var inHome = _temp.Write("code/azcopy/azcopy", "");
        _temp.Write("bin/azcopy", "");

        Assert.Equal(inHome, new AzCopyLocator(null, home, Path.Combine(_temp.Path, "bin")).Locate());
    }

    [Fact]
    public void Azcopy_on_PATH_is_found()
    {
        var onPath = _temp.Write("bin/azcopy", "");

        Assert.Equal(onPath, new AzCopyLocator(null, Path.Combine(_temp.Path, "nohome"), "/nonexistent:" + Path.Combine(_temp.Path, "bin")).Locate());
    }

    [Fact]
    public void Missing_azcopy_lists_every_place_searched_and_how_to_install_it()
    {
        var system = Path.Combine(_temp.Path, "usr-bin-azcopy");

        var ex = Assert.Throws<AzCopyNotFoundException>(() => new AzCopyLocator(null, "/home/u", "/a", system).Locate());

        Assert.Equal(["/home/u/code/azcopy/azcopy", "/a/azcopy", system], ex.SearchedLocations);
        Assert.Contains("/home/u/code/azcopy/azcopy", ex.Message);
        Assert.Contains(system, ex.Message);
        Assert.Contains("AZFUSE_AZCOPY_PATH", ex.Message);
        Assert.Contains("npm install @azure-tools/azcopy-linux", ex.Message);
    }

    [Fact]
    public void Explicit_path_that_does_not_exist_is_reported_instead_of_searching_elsewhere()
    {
        _temp.Write("bin/azcopy", "");

        var ex = Assert.Throws<AzCopyNotFoundException>(() => new AzCopyLocator("/nope/azcopy", null, Path.Combine(_temp.Path, "bin")).Locate());

        Assert.Equal(["/nope/azcopy"], ex.SearchedLocations);
        Assert.Contains("AZFUSE_AZCOPY_PATH", ex.Message);
    }
}
