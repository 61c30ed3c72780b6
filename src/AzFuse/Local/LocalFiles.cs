using System.Runtime.CompilerServices;

namespace AzFuse.Local;

/// <summary>
/// What the remote operations do on plain local files: when AzFuse is disabled, and for paths
/// outside every mapping (as the Python tool, which then works on the path itself).
/// </summary>
internal static class LocalFiles
{
    public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    public static long GetLength(string path) => new FileInfo(path).Length;

    public static void Delete(string path) => File.Delete(path);

    /// <summary>What the file system tells of a local file.</summary>
    public static FileProperties GetProperties(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Could not find file '{file.FullName}'.", file.FullName);
        }

        return new FileProperties { Path = path, Length = file.Length, LastModified = file.LastWriteTimeUtc, CreatedOn = file.CreationTimeUtc };
    }

    /// <summary>The files under a local folder (all depths when <paramref name="recursive"/>); nothing when it does not exist.</summary>
    public static IEnumerable<string> List(string folder, bool recursive) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            : [];

    /// <summary>A local folder's files (and, when not recursive, its sub-folders), as the disabled mode lists them.</summary>
    public static IEnumerable<FileEntry> ListEntries(string folder, bool recursive)
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
                yield return new FileEntry(display + relative, isFolder: false, file.Length, file.LastWriteTimeUtc, contentMd5: null) { CreatedOn = file.CreationTimeUtc };
            }
            else if (!recursive)
            {
                yield return new FileEntry(display + relative, isFolder: true, 0, lastModified: null, contentMd5: null);
            }
        }
    }

    /// <summary>A local listing (a synchronous file-system enumeration) handed out as an async sequence.</summary>
    public static async IAsyncEnumerable<T> AsAsync<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}
