namespace AzFuse.IO;

/// <summary>What a path names, without following a symbolic link at its end.</summary>
internal enum FileKind
{
    /// <summary>A regular file.</summary>
    File,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (to anything, or dangling).</summary>
    Link,

    /// <summary>A device, pipe or socket.</summary>
    Other,
}

/// <summary>
/// A file's type, permissions, owner and identity as <c>lstat</c> or <c>fstat</c> report them.
/// <see cref="Device"/> and <see cref="Inode"/> tell whether two names or handles are the same
/// file; they, <see cref="Owner"/> and <see cref="Mode"/> are 0 where the platform does not say
/// (see <see cref="NativeFiles.HasIdentity"/>).
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, UnixFileMode Mode, uint Owner, ulong Device, ulong Inode)
{
    public bool IsSameFile(FileStatus other) => Inode != 0 && Device == other.Device && Inode == other.Inode;
}
