using AzFuse.Cache;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>
/// Fill locks as ranges of one lock file per cache root: one holder per cache file across threads
/// (and processes: see CrossProcessTests), no file created or deleted per lock, and a folder that
/// a held lock pins is not removed by ClearCache.
/// </summary>
public sealed class FillLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Root => _temp.Path;

    [Fact]
    public async Task One_holder_per_cache_file_even_in_one_process_and_other_files_are_independent()
    {
        var a = Path.Combine(Root, "d", "a.bin");
        using (var held = FillLock.TryAcquireCreating(Root, a))
        {
            Assert.NotNull(held);
            Assert.Null(FillLock.TryAcquireCreating(Root, a));
            Assert.Null(await Task.Run(() => FillLock.TryAcquireCreating(Root, a))); // another thread: another open of the lock file
            using var other = FillLock.TryAcquireCreating(Root, Path.Combine(Root, "d", "b.bin"));
            Assert.NotNull(other);
        }

        using var again = FillLock.TryAcquireExisting(Root, a);
        Assert.NotNull(again);
    }

    [Fact]
    public void A_thousand_locks_create_and_delete_no_file_but_the_one_lock_file()
    {
        for (var i = 0; i < 1000; i++)
        {
            using var held = FillLock.TryAcquireCreating(Root, Path.Combine(Root, "many", $"{i}.bin"));
            Assert.NotNull(held);
        }

        Assert.Equal([Path.Combine(Root, ".azfuse", ".fill-locks")], Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories));
        Assert.Equal(0, new FileInfo(Path.Combine(Root, ".azfuse", ".fill-locks")).Length);
    }

    [Fact]
    public void An_empty_folder_with_a_held_lock_on_a_file_in_it_is_not_removed_and_is_once_released()
    {
        var folder = Path.Combine(Root, "pinned");
        using (var held = FillLock.TryAcquireCreating(Root, Path.Combine(folder, "x.bin")))
        {
            Assert.NotNull(held);
            Assert.True(Directory.Exists(folder));
            Assert.Null(FillLock.TryPinForRemoval(Root, folder));
        }

        using var pin = FillLock.TryPinForRemoval(Root, folder);
        Assert.NotNull(pin);
        Assert.Null(FillLock.TryAcquireCreating(Root, Path.Combine(folder, "x.bin"))); // while it is being removed
    }

    [Fact]
    public void Existing_takes_no_lock_and_creates_nothing_when_the_folder_is_gone()
    {
        Assert.Null(FillLock.TryAcquireExisting(Root, Path.Combine(Root, "gone", "x.bin")));
        Assert.False(Directory.Exists(Path.Combine(Root, "gone")));
    }
}
