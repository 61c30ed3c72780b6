using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>
/// <c>lstat</c> and <c>fstat</c> through Linux's <c>statx</c>, whose buffer has one layout on every
/// architecture (glibc 2.28 and later export it; a plain <c>stat</c> has a layout per architecture
/// and is not an exported symbol before glibc 2.33). Elsewhere, or where the kernel lacks statx,
/// a path's kind comes from .NET and identities are unknown.
/// </summary>
internal static partial class NativeFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasics = 0x1 | 0x2 | 0x8 | 0x100; // type, mode, uid, ino
    private const uint StatxBirthTime = 0x800;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ENOSYS = 38;

    private static bool s_noStatx = !OperatingSystem.IsLinux();

    /// <summary>Whether <see cref="FileStatus"/> carries owner, mode and identity here (Linux with statx).</summary>
    public static bool HasIdentity => !s_noStatx;

    /// <summary>What <paramref name="path"/> names, not following a link at its end; <see langword="null"/> when nothing is there.</summary>
    public static FileStatus? StatusOf(string path)
    {
        if (!s_noStatx)
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasics, out var buffer) == 0)
            {
                return buffer.ToStatus();
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return null;
            }

            if (errno != ENOSYS)
            {
                throw new IOException($"Cannot read the status of '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
            }

            s_noStatx = true;
        }

        return PortableStatusOf(path);
    }

    /// <summary>The status of the file <paramref name="handle"/> has open.</summary>
    public static FileStatus StatusOf(SafeHandle handle)
    {
        if (s_noStatx)
        {
            return default;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasics, out var buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Cannot read the status of an open file: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
            }

            return buffer.ToStatus();
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// When <paramref name="path"/> was created (statx's birth time, which a rename keeps and a
    /// write, chmod or new access time does not change), not following a link at its end;
    /// <see langword="null"/> when nothing is there or the file system does not keep birth times.
    /// </summary>
    public static DateTimeOffset? BirthTimeOf(string path)
    {
        if (s_noStatx || Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBirthTime, out var buffer) != 0 || (buffer.Mask & StatxBirthTime) == 0)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds(buffer.BirthSeconds).AddTicks(buffer.BirthNanoseconds / 100);
    }

    /// <summary>
    /// Sets the access time of the file <paramref name="handle"/> has open, leaving its write time
    /// alone: one <c>futimens</c> (Linux), where .NET's <see cref="File.SetLastAccessTimeUtc(SafeFileHandle, DateTime)"/>
    /// first reads both times to write them back. A bounded cache marks every hit this way.
    /// </summary>
    /// <returns><see langword="false"/> where the call is not available or failed; the caller falls back to .NET's.</returns>
    public static bool TrySetAccessTime(SafeFileHandle handle, DateTimeOffset time)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            Span<TimeSpec> times =
            [
                new(ticks / TimeSpan.TicksPerSecond, ticks % TimeSpan.TicksPerSecond * 100),
                new(0, UtimeOmit),
            ];
            return Futimens((int)handle.DangerousGetHandle(), ref times[0]) == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The effective user id of this process (0 where there is none).</summary>
    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : Geteuid();

    private static FileStatus? PortableStatusOf(string path)
    {
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var kind = attributes.HasFlag(FileAttributes.ReparsePoint) ? FileKind.Link
            : attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory
            : FileKind.File;
        return new FileStatus(kind, 0, 0, 0, 0);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static partial int Futimens(int fd, ref TimeSpec times);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();

    private const long UtimeOmit = (1L << 30) - 2;

    /// <summary>A <c>struct timespec</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    /// <summary>The fields of Linux's <c>struct statx</c> (256 bytes, the same on every architecture) that are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(80)]
        public long BirthSeconds;

        [FieldOffset(88)]
        public uint BirthNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;

        public readonly FileStatus ToStatus()
        {
            var kind = (Mode & 0xF000) switch
            {
                0x8000 => FileKind.File,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.Link,
                _ => FileKind.Other,
            };
            return new FileStatus(kind, (UnixFileMode)(Mode & 0xFFF), Uid, ((ulong)DeviceMajor << 32) | DeviceMinor, Inode);
        }
    }
}
