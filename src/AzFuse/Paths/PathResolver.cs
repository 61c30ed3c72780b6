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
/// <remarks>
/// Relative paths, logical ones as much as relative <c>local</c> prefixes, are taken from the
/// working directory as it was when the resolver was made (a client's first call). A later change
/// of directory does not move the mappings, which is what the Python tool does too: it compares the
/// path as written with the prefix, and never reads the working directory. It also keeps the
/// working directory off a cache hit, where reading it cost a system call and a string on every Open.
/// </remarks>
internal sealed class PathResolver
{
    /// <summary>From this many paths, <see cref="ResolveAll"/> resolves chunks of <see cref="ChunkSize"/> side by side.</summary>
    private const int ParallelFrom = 8192;

    private const int ChunkSize = 4096;

    private readonly IReadOnlyList<CompiledMapping> _mappings;
    private readonly StorageAccountLoader _accounts;

    /// <summary>The working directory when this resolver was made ('/' separated): what every relative path is taken from.</summary>
    private readonly string _workingDirectory;

    public PathResolver(IReadOnlyList<MountMapping> mappings, StorageAccountLoader accounts)
    {
        _workingDirectory = Environment.CurrentDirectory.Replace('\\', '/');
        _mappings = mappings.Select(m => CompiledMapping.Of(m, Segments(m.Local, normalize: true))).ToArray();
        _accounts = accounts;
    }

    /// <summary>
    /// Resolves <paramref name="logicalPath"/>, or returns <see langword="null"/> when no mapping
    /// covers it (the caller then treats it as a plain local file).
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, climbs out of its mapping, or names AzFuse's own files.</exception>
    public ResolvedPath? Resolve(string logicalPath) => ResolveOne(logicalPath);

    /// <summary>
    /// Resolves many paths as one call (a Prepare): a large list on every core, in its order. Paths no mapping covers are left out and counted in <paramref name="unmapped"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A path is empty, climbs out of its mapping, or names AzFuse's own files (the first such path in the list).</exception>
    public ResolvedPath[] ResolveAll(IReadOnlyList<string> logicalPaths, out int unmapped)
    {
        var resolved = new ResolvedPath[logicalPaths.Count];
        var failures = new Exception?[logicalPaths.Count < ParallelFrom ? 1 : ChunksOf(logicalPaths.Count)];
        void ResolveRange(int chunk, int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                try
                {
                    // Unmapped paths stay default (no logical path): left out below.
                    resolved[i] = ResolveOne(logicalPaths[i]) ?? default;
                }
                catch (ArgumentException ex)
                {
                    failures[chunk] = ex; // the first failure of this chunk; chunks are in order
                    return;
                }
            }
        }

        if (failures.Length == 1)
        {
            ResolveRange(0, 0, logicalPaths.Count);
        }
        else
        {
            Parallel.For(0, failures.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
                ResolveRange(chunk, chunk * ChunkSize, Math.Min(logicalPaths.Count, (chunk + 1) * ChunkSize)));
        }

        if (failures.FirstOrDefault(f => f is not null) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        // Usually every path is mapped, and the array is the list (no copy of a large array).
        var kept = 0;
        for (var i = 0; i < resolved.Length; i++)
        {
            if (resolved[i].LogicalPath is not null)
            {
                resolved[kept++] = resolved[i];
            }
        }

        unmapped = resolved.Length - kept;
        if (unmapped > 0)
        {
            Array.Resize(ref resolved, kept);
        }

        return resolved;
    }

    private static int ChunksOf(int count) => (count + ChunkSize - 1) / ChunkSize;

    private ResolvedPath? ResolveOne(string logicalPath)
    {
        ArgumentNullException.ThrowIfNull(logicalPath);
        if (string.IsNullOrWhiteSpace(logicalPath))
        {
            throw Errors.EmptyPath(nameof(logicalPath));
        }

        // Most paths are plain ("data/train/x.bin", "/abs/data/x"): matched as one string, they need
        // no splitting of the working directory and the path into segments, which with the joins
        // after it took most of a cached Prepare's time. The rest take the way below, which the
        // plain way agrees with wherever both apply.
        if (!OperatingSystem.IsWindows() && !logicalPath.Contains('\\', StringComparison.Ordinal))
        {
            // A relative path stands for DIRECTORY/path, never written out: each mapping compares its
            // root with the two parts.
            var directory = Path.IsPathRooted(logicalPath) ? null : _workingDirectory;
            if (directory is null ? IsPlain(logicalPath) : (directory == "/" || IsPlain(directory)) && IsPlainRelative(logicalPath))
            {
                foreach (var mapping in _mappings)
                {
                    if (mapping.Covers(directory, logicalPath) is { } rest)
                    {
                        return Build(logicalPath, mapping, rest);
                    }
                }

                return null;
            }
        }

        // First match the path as written, so that "data/../../etc" is recognised as an
        // attempt to leave the data mapping (an error) instead of a different path.
        var raw = Segments(logicalPath, normalize: false);
        foreach (var mapping in _mappings)
        {
            if (StartsWith(raw, mapping.LocalSegments))
            {
                var rest = Normalize(raw.AsSpan(mapping.LocalSegments.Length), logicalPath, mapping.Mapping);
                return Build(logicalPath, mapping, new Rest(string.Join('/', rest), 0));
            }
        }

        // Then the normalised path, so that "../proj/data/x" run from proj/ still finds data.
        var normalized = Segments(logicalPath, normalize: true);
        foreach (var mapping in _mappings)
        {
            if (StartsWith(normalized, mapping.LocalSegments))
            {
                return Build(logicalPath, mapping, new Rest(string.Join('/', normalized[mapping.LocalSegments.Length..]), 0));
            }
        }

        return null;
    }

    /// <summary>The path under a mapping's root (<paramref name="rest"/>): its segments (none empty, none "." or "..") joined by '/', or "" for the root itself.</summary>
    private ResolvedPath Build(string logicalPath, CompiledMapping compiled, Rest rest)
    {
        var mapping = compiled.Mapping;
        var relative = rest.Span;
        if (relative.Length > 0)
        {
            var first = relative.IndexOf('/');
            if (relative[..(first < 0 ? relative.Length : first)].SequenceEqual(CacheLayout.WorkFolderName))
            {
                throw Errors.ReservedPath(logicalPath, CacheLayout.WorkFolderName);
            }

            // The reserved endings hold no '/': the path ends with one exactly when its last segment does.
            if (CacheFileNames.IsReservedName(relative))
            {
                throw Errors.ReservedPath(logicalPath, relative[(relative.LastIndexOf('/') + 1)..].ToString());
            }

            if (CacheFileNames.IsOtherToolsName(relative))
            {
                throw Errors.PythonToolsPath(logicalPath, relative[(relative.LastIndexOf('/') + 1)..].ToString());
            }
        }

        // Built straight from the path's text: no string for the rest alone, which a Prepare of
        // 100,000 cached files would only have thrown away.
        var cacheRoot = compiled.CacheRoot;
        var cachePath = relative.Length == 0 ? cacheRoot
            // The segments hold no separator and no "." or "..": joined under the root they name the
            // same file as GetFullPath would (which only Windows needs, for its own spellings).
            : OperatingSystem.IsWindows() || relative.Contains('\0') ? Path.GetFullPath(Path.Combine(cacheRoot, relative.ToString()))
            : string.Concat(compiled.RootWithSlash, relative);

        // Belt and braces, as PhysicalFileProvider does: whatever the segments said, the
        // result must lie under the cache root.
        if (cachePath != cacheRoot && !cachePath.StartsWith(compiled.RootWithSlash, StringComparison.Ordinal))
        {
            throw Errors.PathEscapesMapping(logicalPath, mapping);
        }

        var blobName = compiled.RemotePrefix.Length == 0 ? rest.ToString()
            : relative.Length == 0 ? compiled.RemotePrefix
            : string.Concat(compiled.RemotePrefix, "/", relative);

        var account = _accounts.Get(mapping.StorageAccount, mapping);
        return new ResolvedPath(logicalPath, cachePath, cacheRoot, new BlobLocation(account, blobName), mapping);
    }

    private static string Join(string directory, string relative) => directory.EndsWith('/') ? directory + relative : directory + "/" + relative;

    /// <summary>An absolute path whose segments are exactly what lies between its single slashes: none empty, none "." or "..".</summary>
    private static bool IsPlain(string absolute) =>
        absolute.Length > 1 && absolute[0] == '/' && IsPlainRelative(absolute.AsSpan(1));

    /// <summary>A relative path whose segments are exactly what lies between its single slashes.</summary>
    private static bool IsPlainRelative(ReadOnlySpan<char> path) =>
        path.Length > 0 && path[0] != '/' && path[^1] != '/' &&
        path is not "." and not ".." && !path.StartsWith("./", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal) &&
        !path.Contains("//", StringComparison.Ordinal) &&
        !path.Contains("/./", StringComparison.Ordinal) && !path.Contains("/../", StringComparison.Ordinal) &&
        !path.EndsWith("/.", StringComparison.Ordinal) && !path.EndsWith("/..", StringComparison.Ordinal);

    /// <summary>Absolute segments of a path: '\' read as '/', relative paths joined to the working directory.</summary>
    private string[] Segments(string path, bool normalize)
    {
        var unified = path.Replace('\\', '/');
        if (!Path.IsPathRooted(unified))
        {
            unified = Join(_workingDirectory, unified);
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

    /// <summary>A mapping with what every path it resolves needs, worked out once.</summary>
    private sealed record CompiledMapping(MountMapping Mapping, string[] LocalSegments, string LocalRoot, string CacheRoot, string RootWithSlash, string RemotePrefix)
    {
        public static CompiledMapping Of(MountMapping mapping, string[] localSegments)
        {
            var cacheRoot = mapping.CacheRoot;
            return new CompiledMapping(
                mapping,
                localSegments,
                "/" + string.Join('/', localSegments),
                cacheRoot,
                Path.TrimEndingDirectorySeparator(cacheRoot) + Path.DirectorySeparatorChar,
                mapping.Remote.Replace('\\', '/').Trim('/'));
        }

        /// <summary>
        /// The rest of a plain path under this mapping's local root ("" for the root itself), or
        /// <see langword="null"/>: of <paramref name="path"/> itself when <paramref name="directory"/>
        /// is <see langword="null"/>, else of DIRECTORY/path (both plain).
        /// </summary>
        public Rest? Covers(string? directory, string path)
        {
            if (directory is null)
            {
                return RestOf(LocalRoot, path);
            }

            // The root folder "/" joins as "" + "/" + path.
            var folder = directory.Length == 1 ? string.Empty : directory;
            if (LocalRoot.Length <= folder.Length)
            {
                // The root is the directory or above it: the rest starts in the directory, or is the whole path.
                return RestOf(LocalRoot, folder) is not { } inFolder ? null
                    : inFolder.Span.Length == 0 ? new Rest(path, 0)
                    : new Rest(string.Concat(inFolder.Span, "/", path), 0);
            }

            // The root is below the directory: the path must start with the part of the root below it.
            return LocalRoot.StartsWith(folder, StringComparison.Ordinal) && LocalRoot[folder.Length] == '/'
                ? RestOf(LocalRoot.AsSpan(folder.Length + 1), path)
                : null;
        }

        /// <summary>The rest of <paramref name="path"/> under <paramref name="root"/> (a '/' between them), "" when they are equal, or <see langword="null"/>.</summary>
        private static Rest? RestOf(ReadOnlySpan<char> root, string path)
        {
            if (root.Length == 0 || root is "/")
            {
                return new Rest(path, path.StartsWith('/') ? 1 : 0); // a mapping of "/" holds every path
            }

            if (!path.AsSpan().StartsWith(root, StringComparison.Ordinal))
            {
                return null;
            }

            return path.Length == root.Length ? new Rest(path, path.Length)
                : path[root.Length] == '/' ? new Rest(path, root.Length + 1)
                : null;
        }
    }

    /// <summary>The part of a path under a mapping's root: <paramref name="Text"/> from <paramref name="Start"/> (kept as a place in the path, not copied).</summary>
    private readonly record struct Rest(string Text, int Start)
    {
        public ReadOnlySpan<char> Span => Text.AsSpan(Start);

        public override string ToString() => Start == 0 ? Text : Text[Start..];
    }
}
