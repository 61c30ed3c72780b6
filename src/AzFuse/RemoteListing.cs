using System.Runtime.CompilerServices;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;

namespace AzFuse;

/// <summary>
/// Detailed listings (<see cref="AzFuseClient.ListEntries"/>): what is remote under a folder, with
/// sizes, times and stored MD5s, and its sub-folders when not recursive; or the same for a local
/// folder. Unlike <see cref="RemoteFiles.List"/>, writes not uploaded yet are not included: this
/// says what the service holds (what <c>azfuse ls -l</c> shows and a resumable upload compares).
/// </summary>
internal static class RemoteListing
{
    // The service's largest page; fewer round trips for listings of millions of blobs.
    private const int PageSize = 5000;

    public static IEnumerable<FileEntry> List(IBlobService blobs, ResolvedPath folder, string logicalFolder, bool recursive)
    {
        var (prefix, display) = Prefixes(folder, logicalFolder);
        string? marker = null;
        do
        {
            var page = blobs.ListBlobsAsync(folder.Blob.Account, prefix, recursive, marker, PageSize, async: false, CancellationToken.None).EnsureCompleted();
            foreach (var entry in Entries(page, prefix, display))
            {
                yield return entry;
            }

            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    public static async IAsyncEnumerable<FileEntry> ListAsync(IBlobService blobs, ResolvedPath folder, string logicalFolder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (prefix, display) = Prefixes(folder, logicalFolder);
        string? marker = null;
        do
        {
            var page = await blobs.ListBlobsAsync(folder.Blob.Account, prefix, recursive, marker, PageSize, async: true, cancellationToken).ConfigureAwait(false);
            foreach (var entry in Entries(page, prefix, display))
            {
                yield return entry;
            }

            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    /// <summary>A local folder's files (and, when not recursive, its sub-folders), as the disabled mode lists them.</summary>
    public static IEnumerable<FileEntry> ListLocal(string folder, bool recursive)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var info = new DirectoryInfo(folder);
        var display = folder.Replace('\\', '/').TrimEnd('/') + "/";
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true };
        // Sorted like the service's listing (ordinal), not in the file system's order.
        foreach (var item in info.EnumerateFileSystemInfos("*", options).OrderBy(i => i.FullName, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(info.FullName, item.FullName).Replace('\\', '/');
            if (item is FileInfo file)
            {
                yield return new FileEntry(display + relative, isFolder: false, file.Length, file.LastWriteTimeUtc, contentMd5: null);
            }
            else if (!recursive)
            {
                yield return new FileEntry(display + relative, isFolder: true, 0, lastModified: null, contentMd5: null);
            }
        }
    }

    private static (string Prefix, string Display) Prefixes(ResolvedPath folder, string logicalFolder) =>
        (folder.Blob.BlobName.Length == 0 ? string.Empty : folder.Blob.BlobName + "/", logicalFolder.Replace('\\', '/').TrimEnd('/') + "/");

    private static IEnumerable<FileEntry> Entries(BlobListPage page, string prefix, string display)
    {
        foreach (var folder in page.Prefixes)
        {
            if (folder.StartsWith(prefix, StringComparison.Ordinal) && folder.Length > prefix.Length)
            {
                yield return new FileEntry(display + folder[prefix.Length..].TrimEnd('/'), isFolder: true, 0, lastModified: null, contentMd5: null);
            }
        }

        foreach (var blob in page.Blobs)
        {
            // A name ending in '/' is a folder marker some tools create, not a file.
            if (blob.Name.StartsWith(prefix, StringComparison.Ordinal) && !blob.Name.EndsWith('/'))
            {
                yield return new FileEntry(display + blob.Name[prefix.Length..], isFolder: false, blob.Length, blob.LastModified, blob.ContentMd5 is { } md5 ? Convert.ToBase64String(md5) : null);
            }
        }
    }
}
