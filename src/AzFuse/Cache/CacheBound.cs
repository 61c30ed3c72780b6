using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>
/// How much a bounded cache root may hold: at most <see cref="MaxBytes"/> (a size, or a part of
/// its disk resolved to bytes when the client starts), and no more than leaves
/// <see cref="MinFreeBytes"/> free on its disk. The Python tool's garbage-collection settings
/// (<c>AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX</c>) arrive here as the first.
/// </summary>
/// <param name="MaxBytes">The most bytes of cache files; <see cref="long.MaxValue"/> when only free space bounds the root.</param>
/// <param name="MinFreeBytes">The bytes to leave free on the disk; 0 for none.</param>
internal sealed record CacheBound(long MaxBytes, long MinFreeBytes)
{
    /// <summary>
    /// The most the root may hold now, when it holds <paramref name="used"/> bytes: the free-space
    /// target lets it grow by what is free beyond the target (and asks it to shrink when less is).
    /// </summary>
    public long LimitFor(string cacheRoot, long used)
    {
        if (MinFreeBytes <= 0 || DiskSpace.FreeBytes(cacheRoot) is not { } free)
        {
            return MaxBytes;
        }

        return Math.Min(MaxBytes, Math.Max(0, used + free - MinFreeBytes));
    }

    /// <summary>
    /// The bound of each bounded cache root of <paramref name="mappings"/> (full paths). Mappings
    /// that share a root must agree on its settings (or only one of them sets each).
    /// </summary>
    /// <exception cref="AzFuseConfigurationException">Two mappings of one root disagree.</exception>
    public static Dictionary<string, CacheBound> ForRoots(IReadOnlyList<MountMapping> mappings)
    {
        var bounds = new Dictionary<string, CacheBound>(StringComparer.Ordinal);
        foreach (var group in mappings.GroupBy(m => m.CacheRoot, StringComparer.Ordinal))
        {
            var size = Agreed(group, m => m.MaxCacheSize is not null || m.MaxCacheFraction is not null, m => (m.MaxCacheSize, m.MaxCacheFraction), Errors.CacheSizeConflict);
            var free = Agreed(group, m => m.MinFreeSpace is not null, m => m.MinFreeSpace, Errors.CacheFreeSpaceConflict) ?? 0;
            var maxBytes = size switch
            {
                ({ } bytes, _) => bytes,
                (_, { } fraction) when DiskSpace.TotalBytes(group.Key) is { } total => (long)(total * fraction),
                _ => long.MaxValue,
            };

            if (maxBytes != long.MaxValue || free > 0)
            {
                bounds[group.Key] = new CacheBound(maxBytes, free);
            }
        }

        return bounds;
    }

    private static T? Agreed<T>(IEnumerable<MountMapping> mappings, Func<MountMapping, bool> sets, Func<MountMapping, T> value, Func<string, MountMapping, MountMapping, AzFuseConfigurationException> conflict)
    {
        MountMapping? first = null;
        foreach (var mapping in mappings.Where(sets))
        {
            if (first is null)
            {
                first = mapping;
            }
            else if (!EqualityComparer<T>.Default.Equals(value(first), value(mapping)))
            {
                throw conflict(first.CacheRoot, first, mapping);
            }
        }

        return first is null ? default : value(first);
    }
}
