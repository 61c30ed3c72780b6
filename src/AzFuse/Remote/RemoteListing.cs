using System.Runtime.CompilerServices;
using AzFuse.Diagnostics;
using AzFuse.Paths;

namespace AzFuse.Remote;

/// <summary>
/// Detailed listings (<see cref="AzFuseClient.ListEntries"/>): what is remote under a folder, with
/// sizes, times and stored MD5s, and its sub-folders when not recursive (a local folder is listed
/// by <c>LocalFiles</c>). Unlike <see cref="RemoteFiles.List"/>, writes not uploaded yet are not included: this
/// says what the service holds (what <c>azfuse ls -l</c> shows and a resumable upload compares).
/// </summary>
internal static class RemoteListing
{
    // The service's largest page; fewer round trips for listings of millions of blobs.
    public const int PageSize = 5000;

    public static IEnumerable<FileEntry> List(BlobService blobs, ResolvedPath folder, string logicalFolder, bool recursive)
    {
        var (prefix, display) = Prefixes(folder, logicalFolder);
        return Pages(blobs, folder, prefix, recursive).SelectMany(page => Entries(page, prefix, display, recursive));
    }

    public static async IAsyncEnumerable<FileEntry> ListAsync(BlobService blobs, ResolvedPath folder, string logicalFolder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (prefix, display) = Prefixes(folder, logicalFolder);
        await foreach (var page in PagesAsync(blobs, folder, prefix, recursive, cancellationToken).ConfigureAwait(false))
        {
            foreach (var entry in Entries(page, prefix, display, recursive))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Every page of a listing, requested lazily as the caller reads on, following the continuation markers.</summary>
    public static IEnumerable<BlobListPage> Pages(BlobService blobs, ResolvedPath folder, string prefix, bool recursive)
    {
        string? marker = null;
        do
        {
            var page = blobs.ListAsync(folder.Blob.Account, prefix, recursive, marker, PageSize, async: false, CancellationToken.None).EnsureCompleted();
            yield return page;
            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    /// <inheritdoc cref="Pages"/>
    public static async IAsyncEnumerable<BlobListPage> PagesAsync(BlobService blobs, ResolvedPath folder, string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await blobs.ListAsync(folder.Blob.Account, prefix, recursive, marker, PageSize, async: true, cancellationToken).ConfigureAwait(false);
            yield return page;
            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    /// <summary>
    /// The blob name prefix of a logical folder, and the folder as the caller spelled it (with '/'),
    /// which the logical paths of a listing start with.
    /// </summary>
    public static (string Prefix, string Display) Prefixes(ResolvedPath folder, string logicalFolder) =>
        (folder.Blob.BlobName.Length == 0 ? string.Empty : folder.Blob.BlobName + "/", logicalFolder.Replace('\\', '/').TrimEnd('/') + "/");

    /// <summary>The logical path of a listed blob, or <see langword="null"/> for a name that is not a file under the prefix.</summary>
    public static string? Logical(string blobName, string prefix, string display) =>
        // A name ending in '/' is a folder marker some tools create, not a file.
        blobName.StartsWith(prefix, StringComparison.Ordinal) && !blobName.EndsWith('/') ? display + blobName[prefix.Length..] : null;

    private static IEnumerable<FileEntry> Entries(BlobListPage page, string prefix, string display, bool recursive)
    {
        // A hierarchical namespace (ADLS Gen2) lists each directory as an empty blob marked
        // hdi_isfolder, and also as a prefix when it has contents: one folder entry for both, and
        // none in a recursive listing, which lists files only.
        var folders = page.Prefixes.Select(p => p.TrimEnd('/'))
            .Concat(recursive ? [] : page.Blobs.Where(b => b.IsFolder).Select(b => b.Name.TrimEnd('/')))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (folder.StartsWith(prefix, StringComparison.Ordinal) && folder.Length > prefix.Length)
            {
                yield return new FileEntry(display + folder[prefix.Length..], isFolder: true, 0, lastModified: null, contentMd5: null);
            }
        }

        foreach (var blob in page.Blobs)
        {
            if (!blob.IsFolder && Logical(blob.Name, prefix, display) is { } path)
            {
                yield return new FileEntry(path, isFolder: false, blob.Length, blob.LastModified, blob.ContentMd5 is { } md5 ? Convert.ToBase64String(md5) : null)
                {
                    CreatedOn = blob.CreatedOn,
                    AccessTier = blob.AccessTier,
                };
            }
        }
    }
}
