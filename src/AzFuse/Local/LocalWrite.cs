using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse.Local;

/// <summary>
/// A write of a local file: with AzFuse off, or a path outside every mapping. It keeps the write
/// stream's promises on a laptop too: the file is written beside its target and renamed over it
/// when committed, so a discarded write or one that failed leaves the file as it was. An Append
/// writes in place (copying a growing log on every Append would cost its whole length) and a
/// discard cuts the file back to its length at the start.
/// </summary>
internal sealed class LocalWrite : IWriteTarget
{
    private readonly string _target;
    private readonly bool _overwrite;
    private readonly long? _appendedFrom;

    private LocalWrite(string logicalPath, string target, string tempPath, bool overwrite, long? appendedFrom)
    {
        LogicalPath = logicalPath;
        _target = target;
        TempPath = tempPath;
        _overwrite = overwrite;
        _appendedFrom = appendedFrom;
    }

    public string LogicalPath { get; }

    public string TempPath { get; }

    public string Folder => Path.GetDirectoryName(_target)!;

    /// <summary>Opens <paramref name="path"/> for writing with <see cref="File.Open(string, FileMode, FileAccess)"/>'s semantics.</summary>
    public static AzFuseWriteStream Open(string path, FileMode mode, FileAccess access, bool requireCommit, bool async, ILogger logger)
    {
        var (target, exists) = Check(path, mode);
        if (mode == FileMode.Append)
        {
            var appendedFrom = exists ? new FileInfo(target).Length : -1;
            var stream = new FileStream(target, FileMode.Append, access, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
            return new AzFuseWriteStream(stream, new LocalWrite(path, target, target, overwrite: true, appendedFrom), original: null, requireCommit, logger);
        }

        var (write, startFrom) = Begin(path, target, exists, mode);
        return PrivateWrite.Open(write, startFrom, mode, access, requireCommit, async, logger);
    }

    /// <summary>
    /// Starts a write whose private file (not created yet) the caller fills itself (a local-path
    /// lease, an upload), with <see cref="File.Open(string, FileMode, FileAccess)"/>'s semantics
    /// for any mode but Append: the write, and the file it builds on (or <see langword="null"/>).
    /// </summary>
    public static (LocalWrite Write, string? StartFrom) Begin(string path, FileMode mode)
    {
        var (target, exists) = Check(path, mode);
        return Begin(path, target, exists, mode);
    }

    private static (LocalWrite Write, string? StartFrom) Begin(string path, string target, bool exists, FileMode mode)
    {
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.azfuse-writing-{Guid.NewGuid():N}");
        var write = new LocalWrite(path, target, temp, overwrite: mode != FileMode.CreateNew, appendedFrom: null);
        var keepsContent = mode is FileMode.Open or FileMode.OpenOrCreate;
        return (write, keepsContent && exists ? target : null);
    }

    /// <summary>The file the write replaces, and whether it exists, checked against the mode.</summary>
    private static (string Target, bool Exists) Check(string path, FileMode mode)
    {
        // Through a link at the path to its final target, as File.Open writes through it: the link stays a link.
        var full = Path.GetFullPath(path);
        var target = NativeFiles.StatusOf(full) is { Kind: FileKind.Link } ? File.ResolveLinkTarget(full, returnFinalTarget: true)!.FullName : full;
        if (Directory.Exists(target))
        {
            throw Errors.NotAFile(path, target);
        }

        var exists = File.Exists(target);
        if (mode == FileMode.CreateNew && exists)
        {
            throw Errors.FileAlreadyExists(path, target);
        }

        if (mode is FileMode.Open or FileMode.Truncate && !exists)
        {
            throw new FileNotFoundException($"Could not find file '{target}'.", target);
        }

        return (target, exists);
    }

    public ValueTask CommitAsync(bool async, CancellationToken cancellationToken)
    {
        if (_appendedFrom is not null)
        {
            return ValueTask.CompletedTask; // written in place
        }

        if (!OperatingSystem.IsWindows() && File.Exists(_target))
        {
            // A replaced file keeps its permissions (a script stays executable, a key stays private).
            File.SetUnixFileMode(TempPath, File.GetUnixFileMode(_target));
        }

        try
        {
            File.Move(TempPath, _target, _overwrite);
        }
        catch (IOException) when (!_overwrite && File.Exists(_target))
        {
            Discard();
            throw Errors.FileAlreadyExists(LogicalPath, _target);
        }

        return ValueTask.CompletedTask;
    }

    public void Discard()
    {
        if (_appendedFrom is not { } length)
        {
            Cache.CacheCommit.DeleteQuietly(TempPath);
            return;
        }

        if (length < 0)
        {
            Cache.CacheCommit.DeleteQuietly(_target); // Append created it
            return;
        }

        using var file = new FileStream(_target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.SetLength(length);
    }
}
