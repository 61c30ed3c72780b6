using System.Collections.Concurrent;
using AzFuse.Cache;
using AzFuse.IO;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// This process's writing folder under each data root (<c>ROOT/.azfuse/writing/ID</c>), made when
/// first needed: the private files of writes, and the spare files made ahead for writes and cache
/// fills (see <see cref="SpareFiles"/>). A clean exit removes them; after a crash the next process
/// to make one prunes them.
/// </summary>
internal sealed class WritingFolders : IProcessExitCleanup
{
    private readonly UnsyncedFills _fills;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<ScratchFolder>> _folders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SpareFiles> _spares = new(StringComparer.Ordinal);
    private readonly object _renewing = new();

    public WritingFolders(UnsyncedFills fills, TimeProvider time, ILogger logger)
    {
        _fills = fills;
        _time = time;
        _logger = logger;
        ProcessExitCleanup.Register(this);
    }

    /// <summary>This process's writing folder under <paramref name="dataRoot"/>, made if it is not there (any more).</summary>
    public string Of(string dataRoot)
    {
        var folder = _folders.GetOrAdd(dataRoot, NewFolder).Value;
        if (NativeFiles.StatusOf(folder.Path) is { Kind: FileKind.Directory })
        {
            return folder.Path;
        }

        // Gone from under this live process (the cache folder deleted by hand, a file system mounted
        // over it): every write would fail until a restart. A new one, as the next process would make.
        lock (_renewing)
        {
            if (_folders[dataRoot].Value == folder)
            {
                _folders[dataRoot] = NewFolder(dataRoot);
                folder.Dispose();
            }

            return _folders[dataRoot].Value.Path;
        }
    }

    private Lazy<ScratchFolder> NewFolder(string dataRoot) =>
        new(() => ScratchFolder.Create(CacheLayout.WritingFolder(dataRoot), keepAbandonedFor: TimeSpan.Zero, _time));

    /// <summary>
    /// An empty regular file of this process's writing folder under <paramref name="dataRoot"/>, made
    /// ahead and used by no one else, or <see langword="null"/> when none is ready (the stock is made
    /// up in the background either way). The caller owns it: it renames it or deletes it.
    /// </summary>
    public string? TakeSpare(string dataRoot)
    {
        // The folder is made with the first spares, in the background: a process that only reads
        // does not make it while a caller waits.
        var spares = _spares.GetOrAdd(dataRoot, root => new SpareFiles(() => Of(root), root, _fills, _logger));
        if (spares.TryTake() is not { } spare)
        {
            return null;
        }

        // Used only if it is still the regular file it was made as. Gone, or a link put there, it
        // is not used (a link is removed, never followed).
        switch (NativeFiles.StatusOf(spare))
        {
            case { Kind: FileKind.File }:
                return spare;
            case not null:
                CacheCommit.DeleteQuietly(spare);
                break;
        }

        return null;
    }

    /// <summary>
    /// A clean exit removes this process's writing folders: what is left in them belongs to streams
    /// never closed, which are never uploaded, and to spares not taken.
    /// </summary>
    public void CleanUpAtExit()
    {
        foreach (var spares in _spares.Values)
        {
            spares.Close();
        }

        foreach (var folder in _folders.Values.Where(f => f.IsValueCreated))
        {
            folder.Value.Dispose();
        }
    }
}
