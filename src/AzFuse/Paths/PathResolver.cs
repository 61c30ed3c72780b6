using AzFuse.Cache;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Paths;

/// <summary>
/// Turns logical paths into cache paths and blobs. The first mapping whose <c>local</c> prefix
/// matches wins, as in the Python tool, but prefixes match whole path segments (<c>data</c>
/// matches <c>data/x</c>, never <c>database/x</c>), relative and absolute spellings of the same
/// path resolve alike, and a path may not climb out of its mapping with <c>..</c>.
/// </summary>
internal sealed class PathResolver
{
    private readonly IReadOnlyList<CompiledMapping> _mappings;
    private readonly StorageAccountLoader _accounts;

    public PathResolver(IReadOnlyList<MountMapping> mappings, StorageAccountLoader accounts)
    {
        _mappings = mappings.Select(m => new CompiledMapping(m, Segments(m.Local, normalize: true))).ToArray();
        _accounts = accounts;
    }

    /// <summary>
    /// Resolves <paramref name="logicalPath"/>, or returns <see langword="null"/> when no mapping
    /// covers it (the caller then treats it as a plain local file).
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, climbs out of its mapping, or names AzFuse's own files.</exception>
    public ResolvedPath? Resolve(string logicalPath)
    {
        ArgumentNullException.ThrowIfNull(logicalPath);
        if (string.IsNullOrWhiteSpace(logicalPath))
        {
            throw Errors.EmptyPath(nameof(logicalPath));
        }

        // First match the path as written, so that "data/../../etc" is recognised as an
        // attempt to leave the data mapping (an error) instead of a different path.
        var raw = Segments(logicalPath, normalize: false);
        foreach (var mapping in _mappings)
        {
            if (StartsWith(raw, mapping.LocalSegments))
            {
                var rest = Normalize(raw.AsSpan(mapping.LocalSegments.Length), logicalPath, mapping.Mapping);
                return Build(logicalPath, mapping.Mapping, rest);
            }
        }

        // Then the normalised path, so that "../proj/data/x" run from proj/ still finds data.
        var normalized = Segments(logicalPath, normalize: true);
        foreach (var mapping in _mappings)
        {
            if (StartsWith(normalized, mapping.LocalSegments))
            {
                return Build(logicalPath, mapping.Mapping, normalized[mapping.LocalSegments.Length..]);
            }
        }

        return null;
    }

    private ResolvedPath Build(string logicalPath, MountMapping mapping, string[] rest)
    {
        if (rest.Length > 0 && rest[0] == CacheLayout.WorkFolderName)
        {
            throw Errors.ReservedPath(logicalPath, CacheLayout.WorkFolderName);
        }

        if (rest.Length > 0 && CacheFileNames.IsReservedName(rest[^1]))
        {
            throw Errors.ReservedPath(logicalPath, rest[^1]);
        }

        if (rest.Length > 0 && CacheFileNames.IsOtherToolsName(rest[^1]))
        {
            throw Errors.PythonToolsPath(logicalPath, rest[^1]);
        }

        var cacheRoot = mapping.CacheRoot;
        var cachePath = rest.Length == 0 ? cacheRoot : Path.GetFullPath(Path.Combine(cacheRoot, Path.Combine(rest)));

        // Belt and braces, as PhysicalFileProvider does: whatever the segments said, the
        // result must lie under the cache root.
        var rootWithSlash = Path.TrimEndingDirectorySeparator(cacheRoot) + Path.DirectorySeparatorChar;
        if (cachePath != cacheRoot && !cachePath.StartsWith(rootWithSlash, StringComparison.Ordinal))
        {
            throw Errors.PathEscapesMapping(logicalPath, mapping);
        }

        var remotePrefix = mapping.Remote.Replace('\\', '/').Trim('/');
        var blobName = string.Join('/', rest);
        if (remotePrefix.Length > 0)
        {
            blobName = blobName.Length == 0 ? remotePrefix : remotePrefix + "/" + blobName;
        }

        var account = _accounts.Get(mapping.StorageAccount, mapping);
        return new ResolvedPath(logicalPath, cachePath, cacheRoot, new BlobLocation(account, blobName), mapping);
    }

    /// <summary>Absolute segments of a path: '\' read as '/', relative paths joined to the current directory.</summary>
    private static string[] Segments(string path, bool normalize)
    {
        var unified = path.Replace('\\', '/');
        if (!Path.IsPathRooted(unified))
        {
            unified = Environment.CurrentDirectory.Replace('\\', '/') + "/" + unified;
        }

        var parts = unified.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (!normalize)
        {
            return parts;
        }

        var stack = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
            }
            else
            {
                stack.Add(part);
            }
        }

        return [.. stack];
    }

    /// <summary>Resolves ".." inside a mapping; climbing above the mapping's root is an error.</summary>
    private static string[] Normalize(ReadOnlySpan<string> rest, string logicalPath, MountMapping mapping)
    {
        var stack = new List<string>(rest.Length);
        foreach (var part in rest)
        {
            if (part != "..")
            {
                stack.Add(part);
            }
            else if (stack.Count > 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            else
            {
                throw Errors.PathEscapesMapping(logicalPath, mapping);
            }
        }

        return [.. stack];
    }

    private static bool StartsWith(string[] path, string[] prefix)
    {
        if (path.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(path[i], prefix[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record CompiledMapping(MountMapping Mapping, string[] LocalSegments);
}
