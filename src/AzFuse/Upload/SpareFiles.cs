using System.Collections.Concurrent;
using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Empty private files made ahead of the synchronous writes and cache fills that take them, in one
/// writing folder on disk: a write opens one instead of creating its file while the caller waits
/// (a fill renames one to its partial file's name), and the next one is made in the background
/// while that write or fill goes on (mostly its request).
/// </summary>
/// <remarks>
/// <para>
/// Creating a file is the one costly local step of a small synchronous write: an inode allocation.
/// ext4 without a journal passes over every inode freed in the last 5 to 30 seconds of the group it
/// searches (<c>recently_deleted</c>, in kernel time), so where many files were just deleted (a
/// ClearCache, an eviction pass, a test run's clean-up) each create took 0.3–0.6 ms, measured on
/// this project's machines, against ~2 ms for the whole Put Blob that follows; with a journal it
/// is tens of microseconds. Made here, the create overlaps the previous write's upload. A bounded
/// cache deletes files all the time (eviction), so there its misses meet the same cost; a rename
/// of a spare allocates no inode (200 creates after 50,000 deletions: 64 ms; 200 renames: 4 ms).
/// </para>
/// <para>
/// A spare is an empty file named <c>.spare-GUID</c>, made by this process in its own writing
/// folder after the root's unsynced-fills marker (so that a power loss recovery treats it, once
/// written and renamed into the cache, as any other fill): it goes with the folder at a clean exit,
/// or with the folder's pruning after a crash. Nothing waits for a spare: a write or fill that
/// finds none creates its own file, as it always did, and a failure to make one is only logged
/// (the writes meet the cause themselves if it lasts).
/// </para>
/// </remarks>
internal sealed class SpareFiles
{
    /// <summary>The leading name of a spare (a leading '.': the Python tool's collector skips it, see <c>CacheLayout</c>).</summary>
    public const string Prefix = ".spare-";

    // One write after another takes one each; the second covers a create that has not finished.
    internal const int Stock = 2;

    private readonly Func<string> _folder;
    private readonly string _dataRoot;
    private readonly UnsyncedFills _fills;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<string> _ready = new();

    // Held while a spare is made and while closing, so that none is made in a folder being removed.
    private readonly object _gate = new();
    private bool _closed;
    private int _filling;

    /// <param name="folder">The writing folder, made by the first call (in the background).</param>
    /// <param name="dataRoot">The cache (or staging) root it lies under.</param>
    /// <param name="fills">Whose marker each spare is made after.</param>
    /// <param name="logger">Told when a spare cannot be made.</param>
    public SpareFiles(Func<string> folder, string dataRoot, UnsyncedFills fills, ILogger logger)
    {
        _folder = folder;
        _dataRoot = dataRoot;
        _fills = fills;
        _logger = logger;
    }

    /// <summary>
    /// An empty file of this process's writing folder that no one else uses, or <see langword="null"/>
    /// when none is ready; either way the stock is made up in the background.
    /// </summary>
    public string? TryTake()
    {
        _ready.TryDequeue(out var spare);
        if (_ready.Count < Stock && Interlocked.Exchange(ref _filling, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static spares => spares.Fill(), this, preferLocal: false);
        }

        return spare;
    }

    /// <summary>Makes no more spares (the folder is about to be removed, with those made).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void Fill()
    {
        try
        {
            // A root that is gone (deleted by hand) is not made again from the background, with a
            // writing folder that no one may come to remove: the next write or fill makes it if it needs it.
            if (NativeFiles.StatusOf(_dataRoot) is not { Kind: FileKind.Directory })
            {
                return;
            }

            // Born after the marker, as a fill's partial file is (see UnsyncedFills).
            _fills.Begin(_dataRoot);
            while (_ready.Count < Stock)
            {
                lock (_gate)
                {
                    if (_closed)
                    {
                        return;
                    }

                    // The folder is made by the first (under the gate: not after the exit's clean-up).
                    var path = Path.Combine(_folder(), Prefix + Guid.NewGuid().ToString("N"));
                    File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write).Dispose();
                    _ready.Enqueue(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SpareFileNotMade(_logger, CacheLayout.WritingFolder(_dataRoot), ex.Message);
        }
        finally
        {
            Volatile.Write(ref _filling, 0);
        }
    }
}
