using AzFuse.Diagnostics;

namespace AzFuse.IO;

/// <summary>
/// Folders under a root (a cache folder, or its staging root in shared memory) that AzFuse may
/// create, write and delete in: proven to be real folders inside the root, by checking every
/// folder between the root and the target with <c>lstat</c>. A lexical check is not enough: a
/// folder on the way may be a symbolic link to somewhere else (a user's dataset linked into the
/// cache), and everything written or deleted through it would land outside the root.
/// </summary>
/// <remarks>
/// The root itself may be reached through links: that is where the user put it. Below the root,
/// a link is never followed for writing or deleting. (Reading through a linked folder is allowed:
/// a cache hit is whatever file the path names, except a link at the file's own name.)
/// </remarks>
internal static class ContainedFolders
{
    /// <summary>
    /// Creates <paramref name="folder"/> and every missing folder between <paramref name="root"/> and
    /// it. Every folder on the way that exists must be a real folder, not a link.
    /// </summary>
    /// <exception cref="IOException">A folder on the way is a symbolic link or not a folder.</exception>
    public static void Create(string root, string folder)
    {
        Directory.CreateDirectory(root);
        Walk(root, folder, create: true);
    }

    /// <summary>
    /// Checks that the folders between <paramref name="root"/> and <paramref name="folder"/> that
    /// exist are real folders, without creating any: what <see cref="Create"/> will find later.
    /// </summary>
    /// <exception cref="IOException">A folder on the way is a symbolic link or not a folder.</exception>
    public static void Check(string root, string folder) => Walk(root, folder, create: false);

    private static void Walk(string root, string folder, bool create)
    {
        foreach (var step in Steps(root, folder))
        {
            var status = NativeFiles.StatusOf(step);
            if (status is null && !create)
            {
                return;
            }

            if (status is null)
            {
                // One level at a time, its parent just proven. mkdir does not follow a link at the
                // new name, but .NET reports success when the name exists as a link to a folder,
                // so the result is checked again.
                Directory.CreateDirectory(step);
                status = NativeFiles.StatusOf(step);
            }

            if (status is not { Kind: FileKind.Directory })
            {
                throw Errors.NotAFolderInCache(step, root, status?.Kind == FileKind.Link);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> lies inside <paramref name="root"/>: every folder from the root
    /// down to the one that holds it exists and is a real folder (none is a link).
    /// </summary>
    public static bool Holds(string root, string path) =>
        Path.GetDirectoryName(path) is { } parent && IsUnder(root, parent) &&
        Steps(root, parent).All(s => NativeFiles.StatusOf(s) is { Kind: FileKind.Directory });

    /// <summary>
    /// Writes a small file of AzFuse's own (a record, the size ledger) as a new file: whatever was at
    /// the name is removed first (a link itself, never its target), so a link planted there is not
    /// written through. The caller holds the lock that guards the name.
    /// </summary>
    public static void WriteNewFile(string path, ReadOnlySpan<byte> content)
    {
        File.Delete(path);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        file.Write(content);
    }

    /// <summary>Whether <paramref name="folder"/> is under <paramref name="root"/> (lexically) or is the root.</summary>
    public static bool IsUnder(string root, string folder)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        return folder == trimmed || folder.StartsWith(trimmed + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The folders from just below <paramref name="root"/> down to <paramref name="folder"/>.</summary>
    private static IEnumerable<string> Steps(string root, string folder)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        var target = Path.TrimEndingDirectorySeparator(folder);
        if (target == trimmed)
        {
            yield break;
        }

        if (!IsUnder(trimmed, target))
        {
            throw new ArgumentException($"'{folder}' is not under '{root}'.", nameof(folder));
        }

        var index = trimmed.Length;
        while (index < target.Length)
        {
            var next = target.IndexOf(Path.DirectorySeparatorChar, index + 1);
            index = next < 0 ? target.Length : next;
            yield return target[..index];
        }
    }
}
