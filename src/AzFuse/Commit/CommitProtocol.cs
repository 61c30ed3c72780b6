using System.Text.Json;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Commit;

/// <summary>What a rank commits: the folder, who it is among the ranks, and what to keep.</summary>
/// <param name="Folder">The committed folder, resolved.</param>
/// <param name="LogicalFolder">The folder as the caller wrote it.</param>
/// <param name="Rank">This process's rank.</param>
/// <param name="WorldSize">How many ranks write parts.</param>
/// <param name="Attempt">The attempt id the ranks share, when there is one.</param>
/// <param name="KeepLast">How many committed folders to keep beside this one, when pruning.</param>
/// <param name="Parent">The folder's parent, resolved, when pruning.</param>
internal sealed record CommitRequest(ResolvedPath Folder, string LogicalFolder, int Rank, int WorldSize, string? Attempt, int? KeepLast, (ResolvedPath Path, string Logical)? Parent);

/// <summary>
/// Commits folders written by one or many ranks, on the blob service alone. Each rank, once its
/// files are confirmed, writes a part naming them with their stored lengths and MD5s, and then
/// lists the parts: the rank that sees all of them (the last to write its own, since each part is
/// written before its writer lists) checks every file against its part and writes the manifest.
/// The manifest is written last, so a folder whose writer died half-way has none; and a reader
/// takes a folder as committed only when its files still match the manifest.
/// </summary>
internal sealed class CommitProtocol
{
    // HEADs and deletes of a checkpoint tree: small requests, so many in flight.
    private const int RequestsInFlight = 16;

    private readonly BlobService _blobs;
    private readonly PathResolver _resolver;
    private readonly RemoteFiles _remote;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CommitProtocol(BlobService blobs, PathResolver resolver, RemoteFiles remote, TimeProvider time, ILogger logger)
    {
        _blobs = blobs;
        _resolver = resolver;
        _remote = remote;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Writes this rank's part of the folder, naming the files it wrote, and the manifest when
    /// every rank's part is in.
    /// </summary>
    /// <returns>Whether the folder is committed now; <see langword="false"/> while other ranks' parts are still to come.</returns>
    public async ValueTask<bool> CompleteAsync(CommitRequest request, IReadOnlyList<BlobLocation> written, bool async, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Start("azfuse.commit", request.LogicalFolder);
        var account = request.Folder.Blob.Account;
        var (prefix, display) = RemoteListing.Prefixes(request.Folder, request.LogicalFolder);
        var stored = await ListAsync(account, prefix, async, cancellationToken).ConfigureAwait(false);

        var files = new List<CommitManifestFile>();
        foreach (var name in written.Where(b => b.Account == account && b.BlobName.StartsWith(prefix, StringComparison.Ordinal)).Select(b => b.BlobName[prefix.Length..]).Distinct(StringComparer.Ordinal))
        {
            if (CommitNames.IsCommitRecord(name))
            {
                continue;
            }

            var item = stored.TryGetValue(name, out var found) ? found : throw Errors.CommittedFileMissing(display + name, new BlobLocation(account, prefix + name));
            files.Add(new CommitManifestFile(name, item.Length, item.ContentMd5 is { } md5 ? Convert.ToBase64String(md5) : null, item.ETag));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        Telemetry.SetFiles(activity, files.Count);
        var part = new CommitManifest(1, request.Rank, request.WorldSize, request.Attempt, _time.GetUtcNow(), files);
        var partBlob = new BlobLocation(account, prefix + CommitNames.Part(request.Rank, request.WorldSize, request.Attempt));
        await _blobs.WriteSmallAsync(partBlob, Serialize(part), async, cancellationToken).ConfigureAwait(false);

        // Listed after this rank's part is written: the last rank to write one sees them all.
        var parts = await ListAsync(account, prefix + CommitNames.PartsFolder, async, cancellationToken).ConfigureAwait(false);
        var partNames = Enumerable.Range(0, request.WorldSize).Select(r => CommitNames.Part(r, request.WorldSize, request.Attempt)[CommitNames.PartsFolder.Length..]).ToList();
        var missing = partNames.Count(n => !parts.ContainsKey(n));
        if (missing > 0)
        {
            Log.CommitPartWritten(_logger, request.Rank, request.WorldSize, request.LogicalFolder, files.Count, missing);
            Telemetry.Succeeded(activity, "part_written");
            return false;
        }

        var committed = await CommitAsync(request, prefix, partNames, async, cancellationToken).ConfigureAwait(false);
        Telemetry.Succeeded(activity, committed ? "committed" : "part_written");
        return committed;
    }

    /// <summary>The newest folder under <paramref name="parent"/> that has a manifest its files match, or <see langword="null"/>.</summary>
    public async ValueTask<CommittedFolder?> LatestAsync(ResolvedPath parent, string logicalParent, bool async, CancellationToken cancellationToken)
    {
        var (_, display) = RemoteListing.Prefixes(parent, logicalParent);
        foreach (var candidate in await CommittedAsync(parent, logicalParent, async, cancellationToken).ConfigureAwait(false))
        {
            var account = parent.Blob.Account;
            var manifest = await ReadManifestAsync(new BlobLocation(account, candidate.Prefix + CommitNames.Manifest), async, cancellationToken).ConfigureAwait(false);
            var logical = display + candidate.Name;
            if (manifest is null)
            {
                Log.CommitNotTaken(_logger, logical, "its manifest is gone or cannot be read");
                continue;
            }

            var stored = await ListAsync(account, candidate.Prefix, async, cancellationToken).ConfigureAwait(false);
            if (Mismatch(manifest.Files, stored) is { } reason)
            {
                Log.CommitNotTaken(_logger, logical, reason);
                continue;
            }

            return new CommittedFolder(
                logical,
                candidate.Committed,
                manifest.WorldSize,
                manifest.Files.Select(f => logical + "/" + f.Name).ToList(),
                manifest.Files.Sum(f => f.Length));
        }

        return null;
    }

    private async ValueTask<bool> CommitAsync(CommitRequest request, string prefix, List<string> partNames, bool async, CancellationToken cancellationToken)
    {
        var account = request.Folder.Blob.Account;
        var parts = new CommitManifest?[partNames.Count];
        await ParallelLoop.ForAsync(
            parts.Length,
            InFlight(cancellationToken),
            async (i, ct) => parts[i] = await ReadManifestAsync(new BlobLocation(account, prefix + CommitNames.PartsFolder + partNames[i]), async, ct).ConfigureAwait(false),
            async).ConfigureAwait(false);
        if (Array.FindIndex(parts, p => p is null) is var unreadable and >= 0)
        {
            Log.CommitNotTaken(_logger, request.LogicalFolder, $"the part of rank {unreadable} is gone or cannot be read");
            return false;
        }

        // Checked against what the service holds now: a file rewritten after its rank's part was
        // written (a rank of an earlier attempt, a writer outside the commit) keeps the folder uncommitted.
        var files = parts.SelectMany(p => p!.Files).GroupBy(f => f.Name, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var stored = await ListAsync(account, prefix, async, cancellationToken).ConfigureAwait(false);
        if (Mismatch(files, stored) is { } reason)
        {
            Log.CommitNotTaken(_logger, request.LogicalFolder, reason);
            return false;
        }

        var manifest = new CommitManifest(1, null, request.WorldSize, request.Attempt, _time.GetUtcNow(), files);
        var manifestBlob = new BlobLocation(account, prefix + CommitNames.Manifest);
        var content = Serialize(manifest);
        if (!await _blobs.CreateIfAbsentAsync(manifestBlob, content, async, cancellationToken).ConfigureAwait(false))
        {
            // Another rank that saw every part wrote it a moment ago; or it is the manifest of an
            // earlier commit of this folder, which this one replaces.
            var existing = await ReadManifestAsync(manifestBlob, async, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.Files.SequenceEqual(files))
            {
                return true;
            }

            await _blobs.WriteSmallAsync(manifestBlob, content, async, cancellationToken).ConfigureAwait(false);
        }

        Log.Committed(_logger, request.LogicalFolder, files.Count, files.Sum(f => f.Length), request.WorldSize);
        if (request is { KeepLast: { } keep, Parent: { } parent })
        {
            await PruneAsync(parent.Path, parent.Logical, keep, async, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Deletes all but the newest <paramref name="keepLast"/> committed folders under the parent,
    /// each manifest first, so that a folder half deleted is never taken as committed. Folders
    /// without a manifest are left alone: they may be a commit in progress.
    /// </summary>
    private async ValueTask PruneAsync(ResolvedPath parent, string logicalParent, int keepLast, bool async, CancellationToken cancellationToken)
    {
        var account = parent.Blob.Account;
        var (_, display) = RemoteListing.Prefixes(parent, logicalParent);
        foreach (var old in (await CommittedAsync(parent, logicalParent, async, cancellationToken).ConfigureAwait(false)).Skip(keepLast))
        {
            var logicalFolder = display + old.Name;
            await _blobs.DeleteAsync(new BlobLocation(account, old.Prefix + CommitNames.Manifest), async, cancellationToken).ConfigureAwait(false);
            var names = (await ListAsync(account, old.Prefix, async, cancellationToken).ConfigureAwait(false)).Keys.ToList();
            await ParallelLoop.ForAsync(
                names.Count,
                InFlight(cancellationToken),
                (i, ct) => DeleteAsync(new BlobLocation(account, old.Prefix + names[i]), logicalFolder + "/" + names[i], logicalFolder, async, ct),
                async).ConfigureAwait(false);
            Log.CommitPruned(_logger, logicalFolder, keepLast);
        }
    }

    /// <summary>Deletes a file of a pruned folder with its cached copy; one with a write still pending is kept, and said so.</summary>
    private async ValueTask DeleteAsync(BlobLocation blob, string logicalPath, string logicalFolder, bool async, CancellationToken cancellationToken)
    {
        try
        {
            if (_resolver.Resolve(logicalPath) is { } resolved && resolved.Blob == blob)
            {
                await _remote.DeleteAsync(resolved, async, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _blobs.DeleteAsync(blob, async, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException ex)
        {
            Log.PruneSkippedFile(_logger, logicalPath, logicalFolder, ex);
        }
    }

    /// <summary>
    /// The sub-folders of <paramref name="parent"/> that have a manifest, newest first by when the
    /// service wrote it (one listing of the parent, then a HEAD per sub-folder).
    /// </summary>
    private async ValueTask<List<(string Name, string Prefix, DateTimeOffset Committed)>> CommittedAsync(ResolvedPath parent, string logicalParent, bool async, CancellationToken cancellationToken)
    {
        var account = parent.Blob.Account;
        var (prefix, _) = RemoteListing.Prefixes(parent, logicalParent);
        var folders = new List<string>();
        string? marker = null;
        do
        {
            var page = await _blobs.ListAsync(account, prefix, recursive: false, marker, RemoteListing.PageSize, async, cancellationToken).ConfigureAwait(false);
            folders.AddRange(page.Prefixes);
            marker = page.NextMarker;
        }
        while (marker is not null);

        var committed = new DateTimeOffset?[folders.Count];
        await ParallelLoop.ForAsync(
            folders.Count,
            InFlight(cancellationToken),
            async (i, ct) => committed[i] = (await _blobs.GetPropertiesAsync(new BlobLocation(account, folders[i] + CommitNames.Manifest), async, ct).ConfigureAwait(false))?.LastModified,
            async).ConfigureAwait(false);

        return folders
            .Select((folder, i) => (Name: folder[prefix.Length..].TrimEnd('/'), Prefix: folder, Committed: committed[i]))
            .Where(c => c.Committed is not null)
            .Select(c => (c.Name, c.Prefix, Committed: c.Committed!.Value))
            .OrderByDescending(c => c.Committed)
            .ThenByDescending(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every blob under <paramref name="prefix"/>, by its name relative to it.</summary>
    private async ValueTask<Dictionary<string, BlobItem>> ListAsync(StorageAccount account, string prefix, bool async, CancellationToken cancellationToken)
    {
        var items = new Dictionary<string, BlobItem>(StringComparer.Ordinal);
        string? marker = null;
        do
        {
            var page = await _blobs.ListAsync(account, prefix, recursive: true, marker, RemoteListing.PageSize, async, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Blobs.Where(b => !b.IsFolder))
            {
                items[item.Name[prefix.Length..]] = item;
            }

            marker = page.NextMarker;
        }
        while (marker is not null);

        return items;
    }

    /// <summary>Why the stored files do not match <paramref name="files"/>, or <see langword="null"/> when they all do.</summary>
    private static string? Mismatch(IEnumerable<CommitManifestFile> files, Dictionary<string, BlobItem> stored)
    {
        foreach (var file in files)
        {
            if (!stored.TryGetValue(file.Name, out var item))
            {
                return $"'{file.Name}' is missing";
            }

            if (item.Length != file.Length)
            {
                return FormattableString.Invariant($"'{file.Name}' has {item.Length} bytes, not the {file.Length} its manifest says");
            }

            var same = file.Md5 is not null
                ? item.ContentMd5 is { } md5 && Convert.ToBase64String(md5) == file.Md5
                : item.ETag == file.ETag;
            if (!same)
            {
                return $"'{file.Name}' was written again after the manifest named it";
            }
        }

        return null;
    }

    private async ValueTask<CommitManifest?> ReadManifestAsync(BlobLocation blob, bool async, CancellationToken cancellationToken)
    {
        var content = await _blobs.ReadSmallAsync(blob, async, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, CommitManifestJson.Default.CommitManifest) is { Version: 1, Files: not null } manifest ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ParallelOptions InFlight(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = RequestsInFlight, CancellationToken = cancellationToken };

    private static byte[] Serialize(CommitManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, CommitManifestJson.Default.CommitManifest);
}
