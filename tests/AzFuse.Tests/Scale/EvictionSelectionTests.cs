using AzFuse.Cache;

namespace AzFuse.Tests.Scale;

/// <summary>
/// An eviction pass picks the oldest files that make enough room while it walks the folder, holding
/// those alone, however many files it walks.
/// </summary>
public sealed class EvictionSelectionTests
{
    private static readonly DateTime s_start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_oldest_files_whose_sizes_make_the_room_are_picked_oldest_first()
    {
        // Opened in a shuffled order: file i was last opened at minute i.
        var files = new[] { 5, 0, 9, 3, 1, 7, 2, 8, 4, 6 }.Select(i => File(i, length: 10));

        var picked = CacheEviction.Oldest(files, bytes: 35, skip: new HashSet<string>());

        Assert.Equal(["0", "1", "2", "3"], picked.Select(f => f.Path));
    }

    [Fact]
    public void Files_that_stayed_in_an_earlier_round_are_passed_over()
    {
        var files = Enumerable.Range(0, 10).Select(i => File(i, length: 10));

        var picked = CacheEviction.Oldest(files, bytes: 20, skip: new HashSet<string> { "0", "2" });

        Assert.Equal(["1", "3"], picked.Select(f => f.Path));
    }

    [Fact]
    public void Walking_a_million_files_to_make_room_for_ten_picks_the_ten_oldest()
    {
        // Newest first: every file walked is older than those held, the worst order for the heap.
        var files = Enumerable.Range(0, 1_000_000).Reverse().Select(i => File(i, length: 100));

        var picked = CacheEviction.Oldest(files, bytes: 1_000, skip: new HashSet<string>());

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), picked.Select(f => f.Path));
    }

    private static CachedFile File(int minute, long length) =>
        new(minute.ToString(System.Globalization.CultureInfo.InvariantCulture), length, s_start.AddMinutes(minute));
}
