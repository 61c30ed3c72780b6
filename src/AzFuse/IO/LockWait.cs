using AzFuse.Diagnostics;

namespace AzFuse.IO;

/// <summary>Waiting for a cross-process lock that can only be tried (the OS offers no cross-platform blocking wait with a timeout).</summary>
internal static class LockWait
{
    private static readonly TimeSpan s_maxPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Tries <paramref name="tryTake"/> until it returns a lock, polling with a growing interval, up
    /// to <paramref name="timeout"/>; gives up, returning <see langword="null"/>, as soon as
    /// <paramref name="unless"/> says the lock is no longer needed (checked before each try).
    /// </summary>
    /// <exception cref="AzFuseException">Still held after <paramref name="timeout"/>: a lock-timeout error naming <paramref name="lockPath"/>.</exception>
    public static async ValueTask<T?> PollAsync<T>(Func<T?> tryTake, Func<bool>? unless, TimeSpan timeout, string description, string lockPath, bool async, TimeProvider time, CancellationToken cancellationToken)
        where T : class
    {
        var started = time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (unless?.Invoke() == true)
            {
                return null;
            }

            if (tryTake() is { } taken)
            {
                return taken;
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
}
