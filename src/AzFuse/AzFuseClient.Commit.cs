using AzFuse.Commit;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;

namespace AzFuse;

/// <content>Checkpoints that land whole: BeginCommit and GetLatestCommit.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Starts writing a folder that is committed as a whole, such as a checkpoint: files written
    /// under it in the returned scope upload in the background (as in <see cref="AsyncUpload(bool, bool)"/>),
    /// and <see cref="CommitScope.Complete"/> commits them once they are all confirmed. Several
    /// processes (ranks) can write parts of one folder: each calls this and completes its scope, and
    /// the folder is committed once every rank's part is in. Returns at once.
    /// </summary>
    /// <param name="folder">The folder's logical path, such as <c>ckpt/step-001000</c>; it must be under a mapping.</param>
    /// <param name="options">This process's rank and the number of ranks (default: from the launcher's environment), and what to keep.</param>
    /// <returns>The scope; call <see cref="CommitScope.Complete"/> at its end.</returns>
    /// <exception cref="ArgumentException">The folder is outside every mapping, AzFuse is disabled, or KeepLast is set and the folder has no parent under its mapping.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rank is not below the world size.</exception>
    public CommitScope BeginCommit(string folder, CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        var resolved = ResolveFolder(folder) ?? throw Errors.CommitNeedsMapping(folder, _options.Enabled);
        var (rank, worldSize) = options.ResolveRanks();
        var logical = folder.Replace('\\', '/').TrimEnd('/');
        var parent = options.KeepLast is null ? ((ResolvedPath, string)?)null : ParentOf(logical, resolved);
        var request = new CommitRequest(resolved, logical, rank, worldSize, options.ResolveAttempt(), options.KeepLast, parent);
        var uploads = new AsyncUploadScope(_scope, enabled: true, options.ShmAsTmp, progress: null);
        return new CommitScope(uploads, _engine.Value.Commits, request);
    }

    /// <summary>
    /// The newest committed folder under <paramref name="folder"/> (by when its manifest was
    /// written), checked against its manifest: a folder whose writer died before committing, or
    /// whose files changed since, is never returned.
    /// </summary>
    /// <param name="folder">The folder the checkpoints are in, such as <c>ckpt</c>.</param>
    /// <returns>The committed folder, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentException">The folder is outside every mapping, or AzFuse is disabled.</exception>
    public CommittedFolder? GetLatestCommit(string folder) => GetLatestCommitCoreAsync(folder, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="GetLatestCommit(string)"/>
    /// <param name="folder">The folder the checkpoints are in, such as <c>ckpt</c>.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public Task<CommittedFolder?> GetLatestCommitAsync(string folder, CancellationToken cancellationToken = default) =>
        GetLatestCommitCoreAsync(folder, async: true, cancellationToken).AsTask();

    private ValueTask<CommittedFolder?> GetLatestCommitCoreAsync(string folder, bool async, CancellationToken cancellationToken)
    {
        var resolved = ResolveFolder(folder) ?? throw Errors.CommitNeedsMapping(folder, _options.Enabled);
        return _engine.Value.Commits.LatestAsync(resolved, folder, async, cancellationToken);
    }

    /// <summary>The folder's parent, which must map to the same container with the folder right under it.</summary>
    private (ResolvedPath, string) ParentOf(string logical, ResolvedPath folder)
    {
        var slash = logical.LastIndexOf('/');
        if (slash > 0 && _engine.Value.Resolver.Resolve(logical[..slash]) is { } parent &&
            parent.Blob.Account == folder.Blob.Account &&
            RemoteListing.Prefixes(parent, logical[..slash]).Prefix + logical[(slash + 1)..] == folder.Blob.BlobName)
        {
            return (parent, logical[..slash]);
        }

        throw Errors.KeepLastNeedsParent(logical);
    }
}
