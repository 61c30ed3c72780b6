using System.Text;
using AzFuse.Diagnostics;
using AzFuse.Local;
using AzFuse.Upload;

namespace AzFuse;

/// <summary>Writing files: the write stream, and the forms that upload only a write that ended normally.</summary>
public sealed partial class AzFuseClient
{
    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Opens a file for writing, as a write-mode <see cref="Open(string, FileMode, FileAccess)"/>
    /// does (read and write access; write only for <see cref="FileMode.Append"/>), typed so that
    /// <see cref="AzFuseWriteStream.Commit"/> and <see cref="AzFuseWriteStream.Discard"/> are at hand.
    /// </summary>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>.</param>
    /// <param name="mode">How to open; <see cref="FileMode.Open"/> opens an existing file for reading and writing.</param>
    /// <param name="options">Per-call choices, such as <see cref="OpenOptions.RequireCommit"/>.</param>
    /// <returns>The write stream.</returns>
    /// <exception cref="FileNotFoundException"><see cref="FileMode.Open"/> or <see cref="FileMode.Truncate"/> of a file that exists nowhere.</exception>
    /// <exception cref="IOException"><see cref="FileMode.CreateNew"/> and the file exists; or the cache file's folder is a symbolic link.</exception>
    public AzFuseWriteStream OpenWrite(string path, FileMode mode = FileMode.Create, OpenOptions? options = null) =>
        OpenWriteCoreAsync(path, mode, WriteAccess(mode), options?.RequireCommit, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="OpenWrite"/>
    /// <param name="path">A logical path such as <c>data/abc.txt</c>.</param>
    /// <param name="mode">How to open; <see cref="FileMode.Open"/> opens an existing file for reading and writing.</param>
    /// <param name="options">Per-call choices, such as <see cref="OpenOptions.RequireCommit"/>.</param>
    /// <param name="cancellationToken">Cancels a download the write builds on (Append of an uncached blob).</param>
    public ValueTask<AzFuseWriteStream> OpenWriteAsync(string path, FileMode mode = FileMode.Create, OpenOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenWriteCoreAsync(path, mode, WriteAccess(mode), options?.RequireCommit, async: true, cancellationToken);

    /// <summary>
    /// Creates or overwrites a file with what <paramref name="write"/> writes to the stream it is
    /// given, and uploads it (or queues it, in an <see cref="AsyncUpload(bool, bool)"/> scope) only
    /// when <paramref name="write"/> returns normally. If it throws, nothing is uploaded, the
    /// cached copy and the blob stay as they were, no pending-upload record is left, and the
    /// exception propagates. The delegate may dispose the stream (a StreamWriter that owns it):
    /// that only flushes it.
    /// </summary>
    /// <param name="path">A logical path such as <c>data/result.json</c>.</param>
    /// <param name="write">Writes the whole content, e.g. <c>s => JsonSerializer.Serialize(s, value)</c>.</param>
    /// <exception cref="AzFuseTransferException">The upload failed; the content is kept pending.</exception>
    public void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var stream = OpenWriteCoreAsync(path, FileMode.Create, FileAccess.Write, requireCommit: true, async: false, CancellationToken.None).EnsureCompleted();
        try
        {
            stream.DeferDispose = true;
            write(stream);
            stream.DeferDispose = false;
            stream.Commit();
        }
        finally
        {
            // Not committed: an exception ended the delegate (or the commit itself), so this discards.
            stream.DeferDispose = false;
            stream.Dispose();
        }
    }

    /// <inheritdoc cref="Write(string, Action{Stream})"/>
    /// <param name="path">A logical path such as <c>data/result.json</c>.</param>
    /// <param name="write">Writes the whole content, e.g. <c>(s, ct) => JsonSerializer.SerializeAsync(s, value, cancellationToken: ct)</c>.</param>
    /// <param name="cancellationToken">Passed to <paramref name="write"/>; a write it cancels is discarded.</param>
    public async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var stream = await OpenWriteCoreAsync(path, FileMode.Create, FileAccess.Write, requireCommit: true, async: true, cancellationToken).ConfigureAwait(false);
        try
        {
            stream.DeferDispose = true;
            await write(stream, cancellationToken).ConfigureAwait(false);
            stream.DeferDispose = false;
            await stream.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stream.DeferDispose = false;
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates or overwrites a file with text in UTF-8 without a byte order mark, as
    /// <see cref="File.WriteAllText(string, string)"/> does, and uploads it (or queues it, in an
    /// <see cref="AsyncUpload(bool, bool)"/> scope) before returning. A write that fails (a full
    /// disk) uploads nothing and leaves the blob as it was.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <param name="contents">The text.</param>
    /// <exception cref="AzFuseTransferException">The upload failed; the content is kept pending.</exception>
    public void WriteAllText(string path, string? contents) => WriteAllText(path, contents, s_utf8NoBom);

    /// <inheritdoc cref="WriteAllText(string, string?)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="contents">The text.</param>
    /// <param name="encoding">The encoding (with its byte order mark, if it has one).</param>
    public void WriteAllText(string path, string? contents, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        var bytes = encoding.GetBytes(contents ?? string.Empty);
        Write(path, stream =>
        {
            stream.Write(encoding.GetPreamble());
            stream.Write(bytes);
        });
    }

    /// <inheritdoc cref="WriteAllText(string, string?)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="contents">The text.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task WriteAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) =>
        WriteAllBytesAsync(path, s_utf8NoBom.GetBytes(contents ?? string.Empty), cancellationToken);

    /// <summary>
    /// Creates or overwrites a file with <paramref name="bytes"/> and uploads it (or queues it, in
    /// an <see cref="AsyncUpload(bool, bool)"/> scope) before returning. A write that fails (a full
    /// disk) uploads nothing and leaves the blob as it was.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <param name="bytes">The content.</param>
    /// <exception cref="AzFuseTransferException">The upload failed; the content is kept pending.</exception>
    public void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <inheritdoc cref="WriteAllBytes(string, byte[])"/>
    /// <param name="path">A logical path.</param>
    /// <param name="bytes">The content.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    private async ValueTask<AzFuseWriteStream> OpenWriteCoreAsync(string path, FileMode mode, FileAccess access, bool? requireCommit, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        var mustCommit = requireCommit ?? _options.RequireCommit;
        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return LocalWrite.Open(path, mode, access, mustCommit, async, _logger);
        }

        if (resolved.CachePath == resolved.CacheRoot || Directory.Exists(resolved.CachePath))
        {
            throw Errors.NotAFile(path, resolved.CachePath);
        }

        var policy = _scope.Value is { IsEnabled: true } scope ? new WritePolicy(scope, scope.UsesSharedMemory) : default;
        return await _engine.Value.Writer.OpenAsync(resolved, mode, access, policy, mustCommit, async, cancellationToken).ConfigureAwait(false);
    }

    private static FileAccess WriteAccess(FileMode mode) => mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite;
}
