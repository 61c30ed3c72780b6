using AzFuse.Configuration;
using AzFuse.Remote;

namespace AzFuse.Paths;

/// <summary>
/// A logical path that falls under a mapping, resolved once into everything the cache and
/// the transfer engines need, so that no one passes four loose strings around.
/// </summary>
/// <param name="LogicalPath">The path as the caller wrote it.</param>
/// <param name="CachePath">The full path of the cache file; proven to lie under <paramref name="CacheRoot"/>.</param>
/// <param name="CacheRoot">The full path of the mapping's cache folder.</param>
/// <param name="Blob">The remote blob.</param>
/// <param name="Mapping">The mapping that matched, for messages.</param>
internal readonly record struct ResolvedPath(
    string LogicalPath,
    string CachePath,
    string CacheRoot,
    BlobLocation Blob,
    MountMapping Mapping);
