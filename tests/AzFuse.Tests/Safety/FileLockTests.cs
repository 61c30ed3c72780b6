using AzFuse.IO;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>Lock files deleted on release: never two holders at once, whatever the interleaving.</summary>
public sealed class FileLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_released_lock_leaves_no_file_and_a_second_taker_is_refused_while_it_is_held()
    {
        var path = Path.Combine(_temp.Path, ".x.azfuse-lock");

        using (var held = FileLock.TryAcquire(path))
        {
            Assert.NotNull(held);
            Assert.Null(FileLock.TryAcquire(path));
            Assert.True(File.Exists(path));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_waiter_that_opened_the_lock_file_before_its_holder_deleted_it_does_not_become_a_second_holder()
    {
        var path = Path.Combine(_temp.Path, ".x.azfuse-lock");
        var holder = FileLock.TryAcquire(path)!;
        var waiter = NativeFiles.OpenLockFile(path); // a waiter's open, before its flock

        holder.Dispose(); // the last holder deletes the file it held
        using var newcomer = FileLock.TryAcquire(path); // and a newcomer creates and locks a new one

        Assert.NotNull(newcomer);
        Assert.Equal(FileLock.Take.Stale, FileLock.TryTake(waiter, path, out var second)); // the old file's flock is free, but it is not the lock
        Assert.Null(second);
        Assert.Null(FileLock.TryAcquire(path));
    }

    [Fact]
    public void A_holder_that_deleted_its_own_lock_file_does_not_delete_a_newer_one_on_release()
    {
        var path = Path.Combine(_temp.Path, ".x.azfuse-lock");
        var first = FileLock.TryAcquire(path)!;
        File.Delete(path); // ended its work early, as a scratch folder's owner does
        using var second = FileLock.TryAcquire(path);
        Assert.NotNull(second);

        first.Dispose();

        Assert.True(File.Exists(path), "the newer holder's file was deleted");
        Assert.Null(FileLock.TryAcquire(path));
    }

    [Fact]
    public void A_link_at_a_lock_path_is_refused_and_its_target_not_created()
    {
        var path = Path.Combine(_temp.Path, ".x.azfuse-lock");
        var target = Path.Combine(_temp.Path, "elsewhere");
        File.CreateSymbolicLink(path, target);

        Assert.Throws<IOException>(() => FileLock.TryAcquire(path));

        Assert.False(File.Exists(target));
    }
}
