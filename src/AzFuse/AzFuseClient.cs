using System.Text;
using AzFuse.Diagnostics;
using AzFuse.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzFuse;

/// <summary>
/// Opens logical paths through the local cache of their blobs. One instance holds the options,
/// the path mapping, the cache and the transfer engines; <see cref="AzFile"/> forwards to a
/// default instance built from the environment, and tests or DI containers can make their own.
/// Thread-safe; share one instance per process.
/// </summary>
public sealed partial class AzFuseClient
{
    private readonly AzFuseOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<AzFuseEngine> _engine;
    private readonly AsyncLocal<AsyncUploadScope?> _scope = new();

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
    /// together) and then opened. For writing (any other mode, or write access), the returned
    /// stream writes a private file that replaces the cache file when disposed and is uploaded,
    /// overwriting the blob, before Dispose returns; inside an <see cref="AsyncUpload(bool, bool)"/> scope it is
    /// queued instead. <see cref="FileMode.Append"/> and <see cref="FileMode.OpenOrCreate"/> start
    /// from the blob's content when it exists. Paths outside every mapping, and all paths when
    /// AzFuse is disabled, are opened as plain local files.
    /// </summary>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. Unlike <see cref="File.Open(string, FileMode)"/>, <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <returns>A stream over the cache file (or the local file).</returns>
    /// <exception cref="FileNotFoundException">Neither a cached copy nor the blob exists (reading, or <see cref="FileMode.Truncate"/>).</exception>
    /// <exception cref="IOException"><see cref="FileMode.CreateNew"/> and the file exists.</exception>
    /// <exception cref="AzFuseException">The download failed; the message says why.</exception>
    /// <exception cref="AzFuseTransferException">Thrown by the stream's Dispose: the upload failed after its retries. The content and a pending-upload record are kept for <see cref="ResumePendingUploads"/>.</exception>
    public Stream Open(string path, FileMode mode) => Open(path, mode, DefaultAccess(mode));

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open.</param>
    /// <param name="access">Read, Write or ReadWrite.</param>
    public Stream Open(string path, FileMode mode, FileAccess access) =>
        OpenCoreAsync(path, mode, access, forceCheck: false, requireCommit: null, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <param name="options">Per-call choices, such as <see cref="OpenOptions.Revalidate"/>.</param>
    public Stream Open(string path, FileMode mode, OpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OpenCoreAsync(path, mode, DefaultAccess(mode), options.Revalidate, options.RequireCommit, async: false, CancellationToken.None, options.Streaming).EnsureCompleted();
    }

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <param name="cancellationToken">Cancels a download or a wait for another process's download.</param>
    public ValueTask<Stream> OpenAsync(string path, FileMode mode, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(path, mode, DefaultAccess(mode), forceCheck: false, requireCommit: null, async: true, cancellationToken);

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open. <see cref="FileMode.Open"/> opens for reading only.</param>
    /// <param name="options">Per-call choices, such as <see cref="OpenOptions.Revalidate"/>.</param>
    /// <param name="cancellationToken">Cancels a download or a wait for another process's download.</param>
    public ValueTask<Stream> OpenAsync(string path, FileMode mode, OpenOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OpenCoreAsync(path, mode, DefaultAccess(mode), options.Revalidate, options.RequireCommit, async: true, cancellationToken, options.Streaming);
    }

    /// <inheritdoc cref="Open(string, FileMode)"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>; '\' is read as '/'.</param>
    /// <param name="mode">How to open.</param>
    /// <param name="access">Read, Write or ReadWrite.</param>
    /// <param name="cancellationToken">Cancels a download or a wait for another process's download.</param>
    public ValueTask<Stream> OpenAsync(string path, FileMode mode, FileAccess access, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(path, mode, access, forceCheck: false, requireCommit: null, async: true, cancellationToken);

    /// <summary>
    /// Downloads every listed file that is not cached yet, with as few azcopy runs as possible
    /// (one job per container), so that a loop of Opens afterwards hits the cache. Paths outside
    /// every mapping are ignored; does nothing when AzFuse is disabled.
    /// </summary>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <exception cref="AzFuseTransferException">Some files could not be fetched (all others were); <see cref="AzFuseTransferException.Failures"/> names them.</exception>
    public void Prepare(IEnumerable<string> paths) => PrepareCoreAsync(paths, progress: null, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Prepare(IEnumerable{string})"/>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <param name="progress">
    /// Told how many files (of those not cached yet) and bytes have arrived, first before anything
    /// moves and then as each file lands (HTTP) or as azcopy reports its job's progress. Reports
    /// come from transfer threads: a handler must be thread-safe and quick.
    /// </param>
    public void Prepare(IEnumerable<string> paths, IProgress<TransferProgress>? progress) =>
        PrepareCoreAsync(paths, progress, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Prepare(IEnumerable{string})"/>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <param name="cancellationToken">Stops the transfers; files already renamed into the cache stay.</param>
    public Task PrepareAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        PrepareCoreAsync(paths, progress: null, async: true, cancellationToken).AsTask();

    /// <inheritdoc cref="Prepare(IEnumerable{string}, IProgress{TransferProgress})"/>
    /// <param name="paths">Logical paths; duplicates and cached files cost nothing.</param>
    /// <param name="progress">Told the files and bytes fetched as they arrive (see the synchronous overload).</param>
    /// <param name="cancellationToken">Stops the transfers; files already renamed into the cache stay.</param>
    public Task PrepareAsync(IEnumerable<string> paths, IProgress<TransferProgress>? progress, CancellationToken cancellationToken = default) =>
        PrepareCoreAsync(paths, progress, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Starts a <see cref="Prepare(IEnumerable{string})"/> in the background and returns at once (the
    /// Python tool's <c>request_to_download</c>): a training loop can start reading while the rest of
    /// its data arrives. An Open of a file the prefetch has not fetched yet fetches that file at once
    /// (and the prefetch then skips it); an Open of a file it is fetching waits for that file only.
    /// Processes prefetching the same files share the work, as with Prepare.
    /// </summary>
    /// <param name="paths">Logical paths, read before this returns; duplicates and cached files cost nothing.</param>
    /// <param name="progress">Also told the files and bytes fetched as they arrive, from transfer threads.</param>
    /// <returns>The operation: await it, cancel it, or read its progress and failures.</returns>
    public PrefetchOperation PrepareInBackground(IEnumerable<string> paths, IProgress<TransferProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToList();
        var operation = new PrefetchOperation(list.Count, new CancellationTokenSource());
        operation.Start((relay, ct) => PrepareCoreAsync(list, relay, async: true, ct).AsTask(), progress);
        return operation;
    }

    /// <summary>
    /// Starts a scope in which written files upload in the background: a written stream's Dispose
    /// queues the file and returns at once, one background uploader puts everything queued into
    /// as few azcopy runs as it can, and disposing the scope waits until all of the scope's files
    /// are uploaded (throwing one <see cref="AzFuseTransferException"/> for those that could not be).
    /// </summary>
    /// <param name="enabled"><see langword="false"/> makes writes in the scope synchronous again (as in the Python tool's <c>async_upload(enabled=False)</c>).</param>
    /// <param name="shmAsTmp">
    /// Stage written files in <see cref="AzFuseOptions.SharedMemoryFolder"/> (<c>/dev/shm</c>) and
    /// delete them once uploaded, so that writing costs no disk I/O and uploaded files take no cache
    /// space. Where the folder does not exist, the cache is used and a warning logged.
    /// </param>
    /// <returns>The scope; dispose it to wait for the uploads.</returns>
    public AsyncUploadScope AsyncUpload(bool enabled = true, bool shmAsTmp = false) =>
        new(_options.Enabled ? _scope : null, enabled, shmAsTmp, progress: null);

    /// <summary>
    /// Starts a scope in which written files upload in the background, as
    /// <see cref="AsyncUpload(bool, bool)"/>, and reports its progress: each file written in the
    /// scope adds to the totals when its stream is closed, and to the done counts once its upload
    /// is confirmed (or to the failed count once it has finally failed).
    /// </summary>
    /// <param name="progress">Told the scope's files and bytes; reports come from upload threads, so a handler must be thread-safe and quick.</param>
    /// <param name="shmAsTmp">Stage written files in shared memory until uploaded (see <see cref="AsyncUpload(bool, bool)"/>).</param>
    /// <returns>The scope; dispose it to wait for the uploads.</returns>
    public AsyncUploadScope AsyncUpload(IProgress<TransferProgress> progress, bool shmAsTmp = false)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return new(_options.Enabled ? _scope : null, enabled: true, shmAsTmp, progress);
    }

    /// <summary>
    /// Uploads every write that is recorded as pending: those of earlier runs that crashed or were
    /// killed, and this process's own failed uploads. For each blob the newest content wins; each
    /// record is removed only once its upload is confirmed. Tried in the background when the
    /// library starts with pending records; call it to wait for them and see what failed.
    /// </summary>
    /// <returns>How many files were uploaded, counting those the start-up resume uploaded before this call (once).</returns>
    /// <exception cref="AzFuseTransferException">Some could not be uploaded; they stay pending.</exception>
    public int ResumePendingUploads() =>
        _options.Enabled ? _engine.Value.Resumer.ResumeAsync(async: false, CancellationToken.None).EnsureCompleted() : 0;

    /// <inheritdoc cref="ResumePendingUploads"/>
    /// <param name="cancellationToken">Stops waiting; the uploads go on and their records stay until confirmed.</param>
    public Task<int> ResumePendingUploadsAsync(CancellationToken cancellationToken = default) =>
        _options.Enabled ? _engine.Value.Resumer.ResumeAsync(async: true, cancellationToken).AsTask() : Task.FromResult(0);

    /// <summary>
    /// Uploads every write of this process that is not uploaded yet (queued in AsyncUpload scopes,
    /// under way, or failed before) and waits for them, at most <paramref name="deadline"/>: for a
    /// job that must get its outputs out before its machine goes away. Nothing is stopped at the
    /// deadline; what is not uploaded by then stays recorded. (On SIGTERM, SIGINT and process exit
    /// the library does this itself within <see cref="AzFuseOptions.ShutdownUploadDeadline"/>.)
    /// </summary>
    /// <param name="deadline">How long to wait at most.</param>
    /// <returns>How many were uploaded, and the logical paths of those that were not.</returns>
    public UploadFlushResult FlushUploads(TimeSpan deadline) =>
        _options.Enabled
            ? _engine.Value.Uploader.FlushAsync(deadline, stopAfterDeadline: false, async: false, CancellationToken.None).EnsureCompleted()
            : new UploadFlushResult(0, []);

    /// <inheritdoc cref="FlushUploads"/>
    /// <param name="deadline">How long to wait at most.</param>
    /// <param name="cancellationToken">Stops waiting; the uploads go on.</param>
    public Task<UploadFlushResult> FlushUploadsAsync(TimeSpan deadline, CancellationToken cancellationToken = default) =>
        _options.Enabled
            ? _engine.Value.Uploader.FlushAsync(deadline, stopAfterDeadline: false, async: true, cancellationToken).AsTask()
            : Task.FromResult(new UploadFlushResult(0, []));

    /// <summary>Reads a whole file as text, as <see cref="File.ReadAllText(string)"/> does (encoding detected, UTF-8 by default), through the cache.</summary>
    /// <param name="path">A logical path.</param>
    /// <returns>The file's text.</returns>
    public string ReadAllText(string path) => ReadAllText(path, Encoding.UTF8);

    /// <summary>Reads a whole file as text in <paramref name="encoding"/> (a byte order mark still wins), through the cache.</summary>
    /// <param name="path">A logical path.</param>
    /// <param name="encoding">The encoding when the file has no byte order mark.</param>
    /// <returns>The file's text.</returns>
    public string ReadAllText(string path, Encoding encoding)
    {
        using var reader = new StreamReader(Open(path, FileMode.Open), encoding, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <inheritdoc cref="ReadAllText(string)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the download and the read.</param>
    public async Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(await OpenAsync(path, FileMode.Open, cancellationToken).ConfigureAwait(false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole file, through the cache.</summary>
    /// <param name="path">A logical path.</param>
    /// <returns>The file's bytes.</returns>
    public byte[] ReadAllBytes(string path)
    {
        using var stream = Open(path, FileMode.Open);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <inheritdoc cref="ReadAllBytes(string)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the download and the read.</param>
    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = await OpenAsync(path, FileMode.Open, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
    }

    private async ValueTask<Stream> OpenCoreAsync(string path, FileMode mode, FileAccess access, bool forceCheck, bool? requireCommit, bool async, CancellationToken cancellationToken, bool streaming = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        if (mode != FileMode.Open || access != FileAccess.Read)
        {
            return await OpenWriteCoreAsync(path, mode, access, requireCommit, async, cancellationToken).ConfigureAwait(false);
        }

        return _options.Enabled
            ? await _engine.Value.Reader.OpenAsync(path, forceCheck, streaming, async, cancellationToken).ConfigureAwait(false)
            : new FileStream(path, mode, access, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
    }

    private async ValueTask PrepareCoreAsync(IEnumerable<string> paths, IProgress<TransferProgress>? progress, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (_options.Enabled)
        {
            await _engine.Value.Reader.PrepareAsync(paths, progress, async, cancellationToken).ConfigureAwait(false);
        }
    }

    private static FileAccess DefaultAccess(FileMode mode) => mode switch
    {
        FileMode.Open => FileAccess.Read,
        FileMode.Append => FileAccess.Write,
        _ => FileAccess.ReadWrite,
    };
}
