using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>
/// A cache hit opened by <see cref="NativeFiles.TryOpenRegularFile"/>: a plain read-only
/// <see cref="FileStream"/> that still knows its path (a FileStream made from a handle would say
/// "[Unknown]"), so that callers who pass <see cref="Name"/> on get the cache file.
/// </summary>
internal sealed class CacheFileStream : FileStream
{
    private readonly string _path;

    // Synchronous handle: on Unix a FileStream's async I/O runs on the thread pool either way.
    public CacheFileStream(SafeFileHandle handle, string path)
        : base(handle, FileAccess.Read, bufferSize: 4096, isAsync: false)
    {
        _path = path;
        OpenHandle = handle;
    }

    /// <summary>
    /// The handle, as given: unlike <see cref="FileStream.SafeFileHandle"/>, reading it does not first
    /// set the file's offset to the stream's position (one system call, on every bounded hit).
    /// </summary>
    public SafeFileHandle OpenHandle { get; }

    public override string Name => _path;
}
