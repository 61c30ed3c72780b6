using AzFuse.Diagnostics;
using AzFuse.Local;
using AzFuse.Paths;
using AzFuse.Remote;

namespace AzFuse;

/// <content>The remote operations: Exists, GetLength, List, Delete and GetUrl.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Whether a file or folder exists: cached, written and not yet uploaded, or present remotely
    /// (a blob, or blobs under the folder). Paths outside every mapping, and all paths when
    /// AzFuse is disabled, are checked on the local file system.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    /// <exception cref="AzFuseException">The service could not be asked (access denied, unreachable after retries).</exception>
    public bool Exists(string path) => ExistsCoreAsync(path, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Exists(string)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        ExistsCoreAsync(path, async: true, cancellationToken).AsTask();

    /// <summary>
    /// The length of a file in bytes: of the cached copy (or of content written and not yet
    /// uploaded) when there is one, else of the blob, without downloading it.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <returns>The length in bytes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public long GetLength(string path) => GetLengthCoreAsync(path, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="GetLength(string)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<long> GetLengthAsync(string path, CancellationToken cancellationToken = default) =>
        GetLengthCoreAsync(path, async: true, cancellationToken).AsTask();

    /// <summary>
    /// The files under a folder, as logical paths that can be passed straight to
    /// <see cref="Open(string, FileMode)"/> and <see cref="Prepare(IEnumerable{string})"/>: <c>List("data/train")</c>
    /// yields <c>data/train/0001.jpg</c>, ... Remote files are listed page by page (5,000 at a
    /// time) as the sequence is enumerated, in the service's order; files written and not yet
    /// uploaded follow. Sub-folders are not listed themselves. Outside every mapping, and when
    /// AzFuse is disabled, the local folder is listed.
    /// </summary>
    /// <param name="prefix">A logical folder path, such as <c>data/train</c>.</param>
    /// <param name="recursive">Also list the files in sub-folders, at any depth.</param>
    /// <returns>The files; empty when the folder does not exist.</returns>
    public IEnumerable<string> List(string prefix, bool recursive = false)
    {
        var folder = ResolveFolder(prefix);
        return folder is { } resolved
            ? _engine.Value.Remote.List(resolved, prefix, recursive)
            : LocalFiles.List(prefix, recursive);
    }

    /// <inheritdoc cref="List(string, bool)"/>
    /// <param name="prefix">A logical folder path, such as <c>data/train</c>.</param>
    /// <param name="recursive">Also list the files in sub-folders, at any depth.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public IAsyncEnumerable<string> ListAsync(string prefix, bool recursive = false, CancellationToken cancellationToken = default)
    {
        var folder = ResolveFolder(prefix);
        return folder is { } resolved
            ? _engine.Value.Remote.ListAsync(resolved, prefix, recursive, cancellationToken)
            : LocalFiles.AsAsync(LocalFiles.List(prefix, recursive), cancellationToken);
    }

    /// <summary>
    /// What the service holds under a folder, with details: each file's logical path, size, last
    /// modified time and stored MD5, and (when not recursive) each sub-folder. Paged like
    /// <see cref="List"/>; unlike it, writes not uploaded yet are not included. Outside every
    /// mapping, and when AzFuse is disabled, the local folder is listed (without MD5s).
    /// </summary>
    /// <param name="prefix">A logical folder path, such as <c>data/train</c>.</param>
    /// <param name="recursive">List the files in sub-folders, at any depth, instead of the sub-folders themselves.</param>
    /// <returns>The entries, sub-folders first in each page; empty when the folder does not exist.</returns>
    public IEnumerable<FileEntry> ListEntries(string prefix, bool recursive = false)
    {
        var folder = ResolveFolder(prefix);
        return folder is { } resolved
            ? RemoteListing.List(_engine.Value.Blobs, resolved, prefix, recursive)
            : LocalFiles.ListEntries(prefix, recursive);
    }

    /// <inheritdoc cref="ListEntries(string, bool)"/>
    /// <param name="prefix">A logical folder path, such as <c>data/train</c>.</param>
    /// <param name="recursive">List the files in sub-folders, at any depth, instead of the sub-folders themselves.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public IAsyncEnumerable<FileEntry> ListEntriesAsync(string prefix, bool recursive = false, CancellationToken cancellationToken = default)
    {
        var folder = ResolveFolder(prefix);
        return folder is { } resolved
            ? RemoteListing.ListAsync(_engine.Value.Blobs, resolved, prefix, recursive, cancellationToken)
            : LocalFiles.AsAsync(LocalFiles.ListEntries(prefix, recursive), cancellationToken);
    }

    /// <summary>
    /// Deletes a file: the remote blob (with its snapshots) and the cached copy. This cannot be
    /// undone. Nothing happens when the file does not exist, as with <see cref="File.Delete"/>.
    /// Outside every mapping, and when AzFuse is disabled, the local file is deleted.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <exception cref="IOException">The file has a write that is not uploaded yet.</exception>
    public void Delete(string path) => DeleteCoreAsync(path, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Delete(string)"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(path, async: true, cancellationToken).AsTask();

    /// <summary>
    /// A URL that lets anyone holding it read the file's blob, and nothing else, until it expires
    /// (as the Python tool's <c>url</c> command). Signed with the account key; a configured
    /// sas_token is used only when it is read-only itself.
    /// </summary>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="expiry">How long the URL works; default 30 days.</param>
    /// <returns>The blob's URL with a read-only SAS.</returns>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    /// <exception cref="ArgumentException">The path is outside every mapping, or AzFuse is disabled.</exception>
    /// <exception cref="AzFuseException">Only a sas_token that grants more than reading is configured.</exception>
    public Uri GetUrl(string path, TimeSpan? expiry = null) => GetUrlCoreAsync(path, expiry, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="GetUrl(string, TimeSpan?)"/>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="expiry">How long the URL works; default 30 days.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<Uri> GetUrlAsync(string path, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        GetUrlCoreAsync(path, expiry, async: true, cancellationToken).AsTask();

    private ResolvedPath? ResolveMapped(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        return _options.Enabled ? _engine.Value.Resolver.Resolve(path) : null;
    }

    private ResolvedPath? ResolveFolder(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (string.IsNullOrWhiteSpace(prefix))
        {
            throw Errors.EmptyPath(nameof(prefix));
        }

        return _options.Enabled ? _engine.Value.Resolver.Resolve(prefix) : null;
    }

    private async ValueTask<bool> ExistsCoreAsync(string path, bool async, CancellationToken cancellationToken) =>
        ResolveMapped(path) is { } resolved
            ? await _engine.Value.Remote.ExistsAsync(resolved, async, cancellationToken).ConfigureAwait(false)
            : LocalFiles.Exists(path);

    private async ValueTask<long> GetLengthCoreAsync(string path, bool async, CancellationToken cancellationToken) =>
        ResolveMapped(path) is { } resolved
            ? await _engine.Value.Remote.GetLengthAsync(resolved, async, cancellationToken).ConfigureAwait(false)
            : LocalFiles.GetLength(path);

    private async ValueTask DeleteCoreAsync(string path, bool async, CancellationToken cancellationToken)
    {
        if (ResolveMapped(path) is { } resolved)
        {
            await _engine.Value.Remote.DeleteAsync(resolved, async, cancellationToken).ConfigureAwait(false);
            Log.Deleted(_logger, path);
        }
        else
        {
            LocalFiles.Delete(path);
        }
    }

    private async ValueTask<Uri> GetUrlCoreAsync(string path, TimeSpan? expiry, bool async, CancellationToken cancellationToken)
    {
        var lifetime = expiry ?? TimeSpan.FromDays(30);
        if (lifetime <= TimeSpan.Zero)
        {
            throw Errors.UrlExpiryInvalid(lifetime);
        }

        var resolved = ResolveMapped(path) ?? throw Errors.NoRemote(path, _options.Enabled);
        return await _engine.Value.Remote.GetUrlAsync(resolved, lifetime, async, cancellationToken).ConfigureAwait(false);
    }
}
