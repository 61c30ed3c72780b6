using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>Open-file-description locks on byte ranges (<c>fcntl F_OFD_SETLK</c>, Linux 3.15 and later).</summary>
internal static partial class NativeFiles
{
    private const int FOfdSetLk = 37;
    private const short FRdLck = 0;
    private const short FWrLck = 1;
    private const int EINVAL = 22;
    private const int ENOLCK = 37;

    /// <summary>
    /// Locks the one byte at <paramref name="offset"/> of an open file without waiting: exclusive,
    /// or shared with other shared holders. The lock belongs to the open file description, so it
    /// excludes other opens of the file in this process as well as in others, and goes when the
    /// handle is closed (or its process dies, even by <c>kill -9</c>).
    /// </summary>
    /// <returns>
    /// <see langword="true"/> when taken; <see langword="false"/> when another open file holds a
    /// conflicting lock; <see langword="null"/> where such locks are not available (not Linux, an old
    /// kernel, a file system without them).
    /// </returns>
    public static bool? TryLockByte(SafeFileHandle handle, long offset, bool exclusive)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var range = new FlockRange { Type = exclusive ? FWrLck : FRdLck, Whence = 0, Start = offset, Length = 1 };
            if (FcntlLock((int)handle.DangerousGetHandle(), FOfdSetLk, ref range) == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            return error switch
            {
                EWOULDBLOCK or EACCES => false,
                EINVAL or ENOLCK or ENOSYS => null,
                _ => throw new IOException($"Cannot lock a range of an open lock file: {Marshal.GetPInvokeErrorMessage(error)}.", error),
            };
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private const int ORdWr = 2;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int command, ref FlockRange range);

    /// <summary>Linux's <c>struct flock</c> on 64-bit platforms (l_pid must be 0 for OFD locks).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FlockRange
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }
}
