using AzFuse.Diagnostics;

namespace AzFuse.IO;

/// <summary>
/// An exclusive lock shared by every process on the machine, held through a lock file.
/// </summary>
/// <remarks>
/// .NET on Unix takes a non-blocking <c>flock(LOCK_EX)</c> on a file opened with
/// <see cref="FileShare.None"/> and reports a conflict as an <see cref="IOException"/>; on Windows
/// the share mode itself excludes other openers. Either way the operating system drops the lock
/// when its holder dies, even by <c>kill -9</c>, so a crashed process never blocks anyone; the lock
/// file left behind is harmless and reused. flock locks belong to the open file description, so
/// two threads of one process exclude each other as two processes do.
/// <para>
/// Lock files are never deleted while their cache file may be filled. Deleting on release would
/// let a waiter that had already opened the old file lock it while a newcomer locks a new file
/// at the same path: two holders at once, writing one partial file. An empty file per cached
/// file is the price of a lock that is exclusive without exceptions.
/// </para>
/// </remarks>
internal sealed class FileLock : IDisposable
{
    private static readonly TimeSpan s_maxPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _stream;

    private FileLock(FileStream stream)
    {
        _stream = stream;
    }

    public string Path => _stream.Name;

    /// <summary>Takes the lock if no one holds it; <see langword="null"/> otherwise.</summary>
    public static FileLock? TryAcquire(string lockPath)
    {
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            return new FileLock(stream);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            // Held by someone else (a sharing violation). Any other IOException (disk full,
            // missing folder) is not about the lock and propagates.
            return null;
        }
    }

    /// <summary>
    /// Waits for the lock, polling with a growing interval (the OS offers no cross-platform
    /// blocking wait through FileStream), up to <paramref name="timeout"/>.
    /// </summary>
    public static async ValueTask<FileLock> AcquireAsync(string lockPath, TimeSpan timeout, string description, bool async, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var acquired = TryAcquire(lockPath);
            if (acquired is not null)
            {
                return acquired;
            }

            if (timeout != Timeout.InfiniteTimeSpan && time.GetElapsedTime(started) >= timeout)
            {
                throw Errors.LockTimeout(description, lockPath, timeout);
            }

            if (async)
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                cancellationToken.WaitHandle.WaitOne(interval);
            }

            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, s_maxPollInterval.Ticks));
        }
    }

    public void Dispose() => _stream.Dispose();
}
