using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzFuse;

/// <summary>
/// Opens logical paths through the local cache of their blobs. One instance holds the options,
/// the path mapping, the cache and the transfer engines; <see cref="AzFile"/> forwards to a
/// default instance built from the environment, and tests or DI containers can make their own.
/// Thread-safe; share one instance per process.
/// </summary>
public sealed class AzFuseClient
{
    private readonly AzFuseOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<AzFuseEngine> _engine;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The settings; copied no further, so do not change them afterwards.</param>
    /// <param name="loggerFactory">Where log events go; default none.</param>
    public AzFuseClient(AzFuseOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("AzFuse");
        _engine = new Lazy<AzFuseEngine>(() => new AzFuseEngine(options, loggerFactory), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A client configured from the environment variables (see <see cref="AzFuseOptions.FromEnvironment"/>).</summary>
    /// <param name="loggerFactory">Where log events go; default none.</param>
    public static AzFuseClient FromEnvironment(ILoggerFactory? loggerFactory = null) => new(AzFuseOptions.FromEnvironment(), loggerFactory);

    /// <summary>Whether logical paths are mapped to blobs (<see cref="AzFuseOptions.Enabled"/>).</summary>
    public bool IsEnabled => _options.Enabled;

    /// <summary>
    /// Opens a file. For reading (<see cref="FileMode.Open"/>), a cached file is opened at once;
    /// otherwise the blob is downloaded into the cache first (once, even when many processes ask
    /// together) and then opened. Paths outside every mapping, and all paths when AzFuse is
    /// disabled, are opened as plain local files.
    /// </summary>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. Unlike <see cref="File.Open(string, FileMode)"/>, <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <returns>A stream over the cache file (or the local file).</returns>
    /// <exception cref="FileNotFoundException">Neither a cached copy nor the blob exists.</exception>
    /// <exception cref="AzFuseException">The download failed; the message says why.</exception>
    public Stream Open(string path, FileMode mode) => Open(path, mode, DefaultAccess(mode));

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open.</param>
    /// <param name="access">Read, Write or ReadWrite.</param>
    public Stream Open(string path, FileMode mode, FileAccess access) =>
        OpenCoreAsync(path, mode, access, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <param name="cancellationToken">Cancels a download or a wait for another process's download.</param>
    public ValueTask<Stream> OpenAsync(string path, FileMode mode, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(path, mode, DefaultAccess(mode), async: true, cancellationToken);

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open.</param>
    /// <param name="access">Read, Write or ReadWrite.</param>
    /// <param name="cancellationToken">Cancels a download or a wait for another process's download.</param>
    public ValueTask<Stream> OpenAsync(string path, FileMode mode, FileAccess access, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(path, mode, access, async: true, cancellationToken);

    /// <summary>
    /// Downloads every listed file that is not cached yet, with as few azcopy runs as possible
    /// (one job per container), so that a loop of Opens afterwards hits the cache. Paths outside
    /// every mapping are ignored; does nothing when AzFuse is disabled.
    /// </summary>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <exception cref="AzFuseTransferException">Some files could not be fetched (all others were); <see cref="AzFuseTransferException.Failures"/> names them.</exception>
    public void Prepare(IEnumerable<string> paths) => PrepareCoreAsync(paths, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Prepare(IEnumerable{string})"/>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <param name="cancellationToken">Stops the transfers; files already renamed into the cache stay.</param>
    public Task PrepareAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        PrepareCoreAsync(paths, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Removes the cached copy of a file, or of everything under a folder, so the next Open
    /// downloads it again. The remote blob is untouched. Does nothing when AzFuse is disabled
    /// or the path is outside every mapping.
    /// </summary>
    /// <param name="path">A logical file or folder path.</param>
    public void ClearCache(string path)
    {
        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return;
        }

        if (File.Exists(resolved.CachePath))
        {
            File.Delete(resolved.CachePath);
        }
        else if (Directory.Exists(resolved.CachePath))
        {
            foreach (var file in Directory.EnumerateFiles(resolved.CachePath, "*", SearchOption.AllDirectories))
            {
                // Only cache files go. Lock and partial files belong to fills that may be running
                // (removing a lock file would let two processes fill one file at once), and the
                // work folder may hold another process's staging area.
                if (!CacheFileNames.IsReservedName(Path.GetFileName(file)) && !IsInWorkFolder(resolved.CacheRoot, file))
                {
                    File.Delete(file);
                }
            }
        }

        Log.CacheCleared(_logger, path);
    }

    private async ValueTask<Stream> OpenCoreAsync(string path, FileMode mode, FileAccess access, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return new FileStream(path, mode, access, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        }

        if (mode != FileMode.Open || access != FileAccess.Read)
        {
            throw Errors.WriteNotSupported(path);
        }

        if (resolved.CachePath == resolved.CacheRoot)
        {
            throw Errors.NotAFile(path, resolved.CachePath);
        }

        // The hit path is one open() and nothing else: no lock, no network, no process.
        if (TryOpenCached(resolved.CachePath, async) is { } cached)
        {
            Log.CacheHit(_logger, path);
            return cached;
        }

        if (Directory.Exists(resolved.CachePath))
        {
            throw Errors.NotAFile(path, resolved.CachePath);
        }

        Log.CacheMiss(_logger, path);
        await _engine.Value.Filler.FillAsync(resolved, async, cancellationToken).ConfigureAwait(false);
        return TryOpenCached(resolved.CachePath, async) ?? throw Errors.CacheFileVanished(path, resolved.CachePath);
    }

    private async ValueTask PrepareCoreAsync(IEnumerable<string> paths, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (!_options.Enabled)
        {
            return;
        }

        var resolver = _engine.Value.Resolver;
        var resolved = new List<ResolvedPath>();
        var unmapped = 0;
        foreach (var path in paths)
        {
            if (resolver.Resolve(path) is { } r)
            {
                resolved.Add(r);
            }
            else
            {
                unmapped++;
            }
        }

        if (unmapped > 0)
        {
            Log.UnmappedIgnored(_logger, unmapped);
        }

        await _engine.Value.Batch.PrepareAsync(resolved, async, cancellationToken).ConfigureAwait(false);
    }

    private static FileStream? TryOpenCached(string cachePath, bool async)
    {
        try
        {
            return new FileStream(cachePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(cachePath))
        {
            // A folder, not a file: the caller reports it.
            return null;
        }
    }

    private static bool IsInWorkFolder(string cacheRoot, string file) =>
        file.StartsWith(Path.Combine(cacheRoot, CacheLayout.WorkFolderName) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static FileAccess DefaultAccess(FileMode mode) => mode switch
    {
        FileMode.Open => FileAccess.Read,
        FileMode.Append => FileAccess.Write,
        _ => FileAccess.ReadWrite,
    };
}
