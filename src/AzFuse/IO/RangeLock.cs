using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>
/// A lock on one byte of a shared lock file (see <see cref="NativeFiles.TryLockByte"/>): many
/// locks in one file that always exists, so taking one creates and deletes no file.
/// </summary>
/// <remarks>
/// Each lock opens the file anew: locks of two opens exclude each other, so two threads of one
/// process are kept apart as two processes are (one shared handle would let both in). One holder
/// may take more bytes on its open (<see cref="TryAlsoLock"/>), which it then holds and releases together.
/// </remarks>
internal sealed class RangeLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private RangeLock(SafeFileHandle handle)
    {
        _handle = handle;
    }

    /// <summary>Takes the lock on byte <paramref name="offset"/> of <paramref name="lockFile"/> without waiting.</summary>
    /// <param name="lockFile">The shared lock file (created if missing; its folder must exist).</param>
    /// <param name="offset">Which lock.</param>
    /// <param name="exclusive">Exclusive, or shared with other shared holders.</param>
    /// <param name="taken">The lock, when taken.</param>
    /// <returns>Whether it was taken; <see langword="null"/> where range locks are not available.</returns>
    /// <exception cref="DirectoryNotFoundException">The lock file's folder does not exist.</exception>
    public static bool? TryAcquire(string lockFile, long offset, bool exclusive, out RangeLock? taken)
    {
        taken = null;
        var handle = NativeFiles.OpenLockFile(lockFile, readWrite: true);
        var locked = NativeFiles.TryLockByte(handle, offset, exclusive);
        if (locked == true)
        {
            taken = new RangeLock(handle);
        }
        else
        {
            handle.Dispose();
        }

        return locked;
    }

    /// <summary>
    /// Takes byte <paramref name="offset"/> too, on this lock's own open, without waiting: one open
    /// and one close fewer than a lock of its own, for a holder that releases both at once.
    /// </summary>
    /// <returns>Whether it was taken; <see langword="null"/> where range locks are not available.</returns>
    public bool? TryAlsoLock(long offset, bool exclusive) => NativeFiles.TryLockByte(_handle, offset, exclusive);

    /// <summary>Releases the lock, and every byte taken with <see cref="TryAlsoLock"/> (closing the file releases them).</summary>
    public void Dispose() => _handle.Dispose();
}
