using AzFuse.Diagnostics;
using AzFuse.Local;
using AzFuse.Paths;
using Azure.Storage.Blobs.Models;

namespace AzFuse;

/// <content>A blob's properties, metadata and access tier.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// What the service says about a file's blob (one HEAD): size, times, content type, stored MD5,
    /// access tier (and a rehydration in progress), lease state and metadata. Outside every mapping,
    /// and when AzFuse is disabled, what the file system says of the local file.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <returns>The properties.</returns>
    /// <exception cref="FileNotFoundException">The blob (or local file) does not exist.</exception>
    public FileProperties GetProperties(string path) => GetPropertiesCoreAsync(path, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="GetProperties"/>
    /// <param name="path">A logical path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<FileProperties> GetPropertiesAsync(string path, CancellationToken cancellationToken = default) =>
        GetPropertiesCoreAsync(path, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Replaces a blob's metadata (the Python tool's <c>set_meta</c>); an empty dictionary clears it.
    /// Names must be valid C# identifiers, as the service requires. The content is not touched.
    /// </summary>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="metadata">The name-value pairs the blob keeps.</param>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    /// <exception cref="ArgumentException">The path is outside every mapping, or AzFuse is disabled.</exception>
    public void SetMetadata(string path, IDictionary<string, string> metadata) => SetMetadataCoreAsync(path, metadata, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="SetMetadata"/>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="metadata">The name-value pairs the blob keeps.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task SetMetadataAsync(string path, IDictionary<string, string> metadata, CancellationToken cancellationToken = default) =>
        SetMetadataCoreAsync(path, metadata, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Moves a blob to another access tier (the Python tool's <c>set_access_tier</c>). A blob in
    /// <see cref="AzFuseAccessTier.Archive"/> cannot be read until it is moved back, which the
    /// service takes hours to do (<see cref="FileProperties.ArchiveStatus"/> says it is under way);
    /// an Open meanwhile fails with a message that says so.
    /// </summary>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="tier">The tier.</param>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    /// <exception cref="ArgumentException">The path is outside every mapping, or AzFuse is disabled.</exception>
    public void SetAccessTier(string path, AzFuseAccessTier tier) => SetAccessTierCoreAsync(path, tier, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="SetAccessTier"/>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="tier">The tier.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task SetAccessTierAsync(string path, AzFuseAccessTier tier, CancellationToken cancellationToken = default) =>
        SetAccessTierCoreAsync(path, tier, async: true, cancellationToken).AsTask();

    private async ValueTask<FileProperties> GetPropertiesCoreAsync(string path, bool async, CancellationToken cancellationToken)
    {
        if (ResolveMapped(path) is not { } resolved)
        {
            return LocalFiles.GetProperties(path);
        }

        return await _engine.Value.Blobs.GetFilePropertiesAsync(resolved.Blob, path, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.BlobNotFound(path, resolved.Blob);
    }

    private async ValueTask SetMetadataCoreAsync(string path, IDictionary<string, string> metadata, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var resolved = RemoteOnly(path);
        if (!await _engine.Value.Blobs.SetMetadataAsync(resolved.Blob, metadata, async, cancellationToken).ConfigureAwait(false))
        {
            throw Errors.BlobNotFound(path, resolved.Blob);
        }
    }

    private async ValueTask SetAccessTierCoreAsync(string path, AzFuseAccessTier tier, bool async, CancellationToken cancellationToken)
    {
        var resolved = RemoteOnly(path);
        var accessTier = tier switch
        {
            AzFuseAccessTier.Hot => AccessTier.Hot,
            AzFuseAccessTier.Cool => AccessTier.Cool,
            AzFuseAccessTier.Cold => AccessTier.Cold,
            AzFuseAccessTier.Archive => AccessTier.Archive,
            _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Not an access tier."),
        };
        if (!await _engine.Value.Blobs.SetAccessTierAsync(resolved.Blob, accessTier, async, cancellationToken).ConfigureAwait(false))
        {
            throw Errors.BlobNotFound(path, resolved.Blob);
        }
    }

    /// <summary>The mapped path of an operation that only blobs have (metadata, tiers, leases, copies).</summary>
    private ResolvedPath RemoteOnly(string path) => ResolveMapped(path) ?? throw Errors.NoRemote(path, _options.Enabled);
}
