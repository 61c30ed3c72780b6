using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Configuration;

/// <summary>
/// Where a client's mappings come from, as the Python tool finds them: the list given in code
/// (<see cref="AzFuseOptions.Mappings"/>), else the mapping file (<see cref="AzFuseOptions.MappingFile"/>,
/// else <c>aux_data/configs/azfuse.yaml</c>); each then takes the options' cache policy for what it does not set.
/// </summary>
internal static class MappingSource
{
    /// <summary>The mappings, with the options' defaults applied.</summary>
    /// <exception cref="AzFuseConfigurationException">The file is missing or invalid; the message names it and what to do.</exception>
    public static IReadOnlyList<MountMapping> Load(AzFuseOptions options, ILogger logger) =>
        Read(options, logger).Select(m => WithDefaults(m, options)).ToList();

    /// <summary>The mapping file that is read, for messages; <see langword="null"/> when the mappings are given in code.</summary>
    public static string? FileOf(AzFuseOptions options) =>
        options.Mappings.Count > 0 ? null : options.MappingFile ?? AzFuseOptions.DefaultMappingFile;

    private static IReadOnlyList<MountMapping> Read(AzFuseOptions options, ILogger logger)
    {
        if (options.Mappings.Count > 0)
        {
            return MappingFileLoader.FromCode(options.Mappings);
        }

        var file = FileOf(options)!;
        if (options.MappingFile is null && !File.Exists(file))
        {
            throw Errors.DefaultMappingFileMissing(Path.GetFullPath(file));
        }

        return MappingFileLoader.Load(file, logger);
    }

    private static MountMapping WithDefaults(MountMapping mapping, AzFuseOptions options)
    {
        // A mapping's own limit, in bytes or as a part of the disk, wins over every default; of the
        // defaults, bytes win over a part of the disk.
        var ownLimit = mapping.MaxCacheSize is not null || mapping.MaxCacheFraction is not null;
        return mapping with
        {
            RevalidateAfter = mapping.RevalidateAfter ?? options.RevalidateAfter,
            MaxCacheSize = ownLimit ? mapping.MaxCacheSize : options.MaxCacheSize,
            MaxCacheFraction = ownLimit ? mapping.MaxCacheFraction : options.MaxCacheSize is null ? options.MaxCacheDiskFraction : null,
            MinFreeSpace = mapping.MinFreeSpace ?? options.MinFreeDiskSpace,
        };
    }
}
