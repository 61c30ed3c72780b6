using AzFuse.Tests.Infrastructure;
using AzFuse.Transfer;

namespace AzFuse.Tests.Safety;

/// <summary>A download's partial file is always a new file: whatever is at its name is removed first, never written through.</summary>
public sealed class PartialFileTests
{
    [Fact]
    public void A_new_partial_file_has_the_blobs_length_from_the_start()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "0");

        using (var partial = PartialFile.Create(path, default, 4096, async: false))
        {
            Assert.Equal(4096, partial.Length);
        }

        Assert.Equal(4096, new FileInfo(path).Length);
    }

    [Fact]
    public void A_leftover_at_the_name_is_replaced_by_a_new_file()
    {
        using var folder = new TempFolder();
        var path = folder.Write("0", "a killed fill's leftover, longer than the new file");

        using (PartialFile.Create(path, default, 10, async: false))
        {
        }

        Assert.Equal(new byte[10], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_link_at_the_name_is_removed_and_what_it_names_is_left_as_it_was()
    {
        using var folder = new TempFolder();
        var outside = folder.Write("outside.txt", "not ours");
        var path = Path.Combine(folder.Path, "0");
        File.CreateSymbolicLink(path, outside);

        using (PartialFile.Create(path, default, 10, async: false))
        {
        }

        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal(10, new FileInfo(path).Length);
        Assert.Equal("not ours", File.ReadAllText(outside));
    }
}
