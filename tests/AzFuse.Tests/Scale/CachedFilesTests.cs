using AzFuse.Cache;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Scale;

/// <summary>
/// Which of many paths are cached files, answered by listing their folders, says what a status
/// call per file says: regular files count; links, folders and missing names do not.
/// </summary>
public sealed class CachedFilesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_listed_folder_answers_as_a_status_call_per_file_would()
    {
        var folder = Path.Combine(_temp.Path, "f");
        Directory.CreateDirectory(folder);
        var paths = Enumerable.Range(0, 20).Select(i => Path.Combine(folder, $"{i}.bin")).ToList();
        foreach (var path in paths.Take(10))
        {
            File.WriteAllText(path, "x");
        }

        File.CreateSymbolicLink(paths[10], paths[0]); // a link to a cached file is not a cached file
        File.CreateSymbolicLink(paths[11], Path.Combine(folder, "nowhere"));
        Directory.CreateDirectory(paths[12]);
        File.WriteAllText(Path.Combine(folder, ".5.bin.azfuse-record"), "{}");

        var cached = CachedFiles.Which(paths);

        Assert.Equal(paths.Select(CacheFileNames.IsCachedFile), cached);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i < 10), cached);
    }

    [Fact]
    public void A_path_asked_about_twice_gets_the_same_answer_both_times()
    {
        var folder = Path.Combine(_temp.Path, "f");
        Directory.CreateDirectory(folder);
        var paths = Enumerable.Range(0, 10).Select(i => Path.Combine(folder, $"{i}.bin")).ToList();
        File.WriteAllText(paths[3], "x");

        var cached = CachedFiles.Which([.. paths, paths[3], paths[4], paths[3]]);

        Assert.Equal([true, false, true], cached[^3..]);
    }

    [Fact]
    public void A_few_files_of_a_large_folder_and_a_missing_folder_are_answered_too()
    {
        var large = Path.Combine(_temp.Path, "large");
        Directory.CreateDirectory(large);
        for (var i = 0; i < 1200; i++)
        {
            File.WriteAllText(Path.Combine(large, $"{i}.bin"), "x");
        }

        // Ten names asked in a folder of 1,200: the listing gives up before the end and asks the rest one by one.
        var asked = Enumerable.Range(1195, 10).Select(i => Path.Combine(large, $"{i}.bin")).ToList();
        var missing = Enumerable.Range(0, 10).Select(i => Path.Combine(_temp.Path, "no-such-folder", $"{i}.bin")).ToList();

        var cached = CachedFiles.Which([.. asked, .. missing]);

        Assert.Equal(Enumerable.Range(1195, 10).Select(i => i < 1200).Concat(Enumerable.Repeat(false, 10)), cached);
    }

    [Fact]
    public void Many_folders_checked_side_by_side_each_answer_for_their_own_files()
    {
        var paths = new List<string>();
        for (var f = 0; f < 10; f++)
        {
            var folder = Path.Combine(_temp.Path, f.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            for (var i = 0; i < 500; i++)
            {
                var path = Path.Combine(folder, $"{i}.bin");
                if ((i + f) % 3 != 0)
                {
                    File.WriteAllText(path, "x");
                }

                paths.Add(path);
            }
        }

        var cached = CachedFiles.Which(paths);

        Assert.Equal(paths.Select(File.Exists), cached);
    }
}
