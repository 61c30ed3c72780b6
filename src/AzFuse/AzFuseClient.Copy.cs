using AzFuse.Diagnostics;

namespace AzFuse;

/// <content>Service-side copies between mappings, containers and accounts.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Copies a file's blob over another's, service-side: between any two mappings, in one container
    /// or two, of one storage account or two, without bringing the bytes through this machine (Copy
    /// Blob, the source read through a read-only SAS). Returns once the service has finished. The
    /// blob's properties (its Content-MD5 and Content-Type) and metadata come with it; the
    /// destination's cached copy is dropped. Copies what the source's blob holds, not a write of it
    /// still pending here.
    /// </summary>
    /// <param name="sourcePath">The logical path to copy.</param>
    /// <param name="destinationPath">The logical path it is copied to (overwritten).</param>
    /// <exception cref="FileNotFoundException">The source blob does not exist.</exception>
    /// <exception cref="IOException">The destination has a write not uploaded yet.</exception>
    /// <exception cref="ArgumentException">A path is outside every mapping, or AzFuse is disabled.</exception>
    /// <exception cref="AzFuseException">The service could not copy; the message says why.</exception>
    public void Copy(string sourcePath, string destinationPath) => CopyCoreAsync(this, sourcePath, destinationPath, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Copy(string, string)"/>
    /// <param name="sourcePath">The logical path to copy.</param>
    /// <param name="destinationPath">The logical path it is copied to (overwritten).</param>
    /// <param name="cancellationToken">Stops waiting for the copy (which the service may finish anyway).</param>
    public Task CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken = default) =>
        CopyCoreAsync(this, sourcePath, destinationPath, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Copies a file's blob as <see cref="Copy(string, string)"/> does, from a path of another client's
    /// mappings (another mapping file: the Python tool's <c>azfuse -f NAME u PATH</c>).
    /// </summary>
    /// <param name="sourceClient">The client whose mappings resolve <paramref name="sourcePath"/>.</param>
    /// <param name="sourcePath">The logical path to copy, in <paramref name="sourceClient"/>'s mappings.</param>
    /// <param name="destinationPath">The logical path it is copied to, in this client's mappings.</param>
    public void Copy(AzFuseClient sourceClient, string sourcePath, string destinationPath) =>
        CopyCoreAsync(sourceClient, sourcePath, destinationPath, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Copy(AzFuseClient, string, string)"/>
    /// <param name="sourceClient">The client whose mappings resolve <paramref name="sourcePath"/>.</param>
    /// <param name="sourcePath">The logical path to copy, in <paramref name="sourceClient"/>'s mappings.</param>
    /// <param name="destinationPath">The logical path it is copied to, in this client's mappings.</param>
    /// <param name="cancellationToken">Stops waiting for the copy.</param>
    public Task CopyAsync(AzFuseClient sourceClient, string sourcePath, string destinationPath, CancellationToken cancellationToken = default) =>
        CopyCoreAsync(sourceClient, sourcePath, destinationPath, async: true, cancellationToken).AsTask();

    private async ValueTask CopyCoreAsync(AzFuseClient sourceClient, string sourcePath, string destinationPath, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sourceClient);
        var source = sourceClient.RemoteOnly(sourcePath);
        var destination = RemoteOnly(destinationPath);
        var sourceEngine = sourceClient._engine.Value;
        await _engine.Value.Remote.CopyAsync(source, sourceEngine.Blobs, sourceEngine.Sas, destination, async, cancellationToken).ConfigureAwait(false);
        Log.Copied(_logger, sourcePath, destinationPath);
    }
}
