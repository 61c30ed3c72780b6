using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Loads the mapping file named by <c>AZFUSE_CLOUD_FUSE_CONFIG_FILE</c>: a YAML list of
/// <c>{local, remote, cache, storage_account}</c> entries, exactly as the Python tool reads it
/// (a leading <c>~</c> in <c>cache</c> is the home folder; its <c>cache_lock</c> key is accepted and
/// needs no action, as every fill here is locked). Keys this version does not know are ignored,
/// with a warning, so files written for newer versions still load. Optional keys set the cache
/// policy: <c>revalidate_after</c>, <c>max_cache_size</c> and <c>min_free_space</c>.
/// </summary>
internal static class MappingFileLoader
{
    /// <summary>What messages call a mapping given in code (<see cref="AzFuseOptions.Mappings"/>): its line is its 1-based index.</summary>
    public const string CodeSource = "AzFuseOptions.Mappings";

    private static readonly string[] s_requiredKeys = ["local", "remote", "cache", "storage_account"];
    private static readonly string[] s_knownKeys = [.. s_requiredKeys, "revalidate_after", "max_cache_size", "min_free_space", "cache_lock"];

    /// <param name="path">The mapping file.</param>
    /// <param name="logger">Told of keys this version does not read (a misspelling, say).</param>
    public static IReadOnlyList<MountMapping> Load(string path, ILogger? logger = null)
    {
        var fullPath = Path.GetFullPath(path);
        var root = YamlFile.LoadRoot(fullPath, "mapping file");
        if (root is null)
        {
            return [];
        }

        if (root is not YamlSequenceNode list)
        {
            throw Errors.MappingFileNotAList(fullPath, YamlFile.LineOf(root));
        }

        var mappings = new List<MountMapping>(list.Children.Count);
        foreach (var item in list.Children)
        {
            var line = YamlFile.LineOf(item);
            if (item is not YamlMappingNode entry)
            {
                throw Errors.MappingEntryNotAMapping(fullPath, line);
            }

            YamlKeys.WarnUnknown(entry, s_knownKeys, fullPath, logger ?? NullLogger.Instance);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in s_requiredKeys)
            {
                values[key] = Required(key, YamlFile.GetScalar(entry, key, fullPath), fullPath, line);
            }

            var (maxBytes, maxFraction) = CacheSize(YamlFile.GetScalar(entry, "max_cache_size", fullPath), fullPath, line);
            mappings.Add(new MountMapping(
                Local: values["local"],
                Remote: values["remote"],
                Cache: ExpandCache(values["cache"], fullPath, line),
                StorageAccount: values["storage_account"],
                SourceFile: fullPath,
                Line: line,
                RevalidateAfter: Optional(entry, "revalidate_after", fullPath, line, (string text, out TimeSpan v) => CacheSettingParser.TryParseDuration(text, out v), "a duration such as 30s, 10m, 2h or 1d, or off"),
                MaxCacheSize: maxBytes,
                MaxCacheFraction: maxFraction,
                MinFreeSpace: Optional<long>(entry, "min_free_space", fullPath, line, TryParseFreeSpace, "a size such as 10GB or 500MiB, or off")));
        }

        return mappings;
    }

    /// <summary>Checks the mappings given in code as the file's entries are checked, and reads them alike.</summary>
    public static IReadOnlyList<MountMapping> FromCode(IEnumerable<AzFuseMapping> mappings)
    {
        var result = new List<MountMapping>();
        var index = 0;
        foreach (var mapping in mappings)
        {
            var line = ++index;
            if (mapping is null)
            {
                throw Errors.MappingEntryNotAMapping(CodeSource, line);
            }

            result.Add(new MountMapping(
                Local: Required("local", mapping.Local, CodeSource, line),
                Remote: Required("remote", mapping.Remote, CodeSource, line),
                Cache: ExpandCache(Required("cache", mapping.Cache, CodeSource, line), CodeSource, line),
                StorageAccount: Required("storage_account", mapping.StorageAccount, CodeSource, line),
                SourceFile: CodeSource,
                Line: line,
                RevalidateAfter: mapping.RevalidateAfter is { } after && after < TimeSpan.Zero ? throw Errors.MappingValueInvalid(CodeSource, line, "RevalidateAfter", after.ToString(), "zero or more") : mapping.RevalidateAfter,
                MaxCacheSize: mapping.MaxCacheSize is { } size && size <= 0 ? throw Errors.MappingValueInvalid(CodeSource, line, "MaxCacheSize", size.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive number of bytes") : mapping.MaxCacheSize));
        }

        return result;
    }

    private static string Required(string key, string? value, string path, int line) =>
        // remote may legitimately be empty: the mapping then covers the container's root.
        value is null || (value.Length == 0 && key != "remote") ? throw Errors.MappingKeyMissing(path, line, key) : value;

    private static string ExpandCache(string cache, string path, int line) =>
        HomeFolder.Expand(cache) ?? throw Errors.MappingValueInvalid(path, line, "cache", cache, "a path; '~' alone or followed by '/' is your home folder, but another user's '~name' is not looked up: write the folder out");

    /// <summary><c>max_cache_size</c>: a size in bytes (or off), or a part of the cache's disk (<c>50%</c>, <c>0.5</c>).</summary>
    private static (long? Bytes, double? Fraction) CacheSize(string? text, string path, int line)
    {
        if (text is null)
        {
            return (null, null);
        }

        if (CacheSettingParser.TryParseFraction(text, out var fraction))
        {
            return (null, fraction);
        }

        return CacheSettingParser.TryParseSize(text, out var bytes)
            ? (bytes, null)
            : throw Errors.MappingValueInvalid(path, line, "max_cache_size", text, "a size such as 500MB, 50GB or 2TiB, a part of the disk such as 50% or 0.5, or unlimited");
    }

    /// <summary><c>min_free_space</c>: a size; off means no target (0).</summary>
    private static bool TryParseFreeSpace(string text, out long value)
    {
        if (!CacheSettingParser.TryParseSize(text, out value))
        {
            return false;
        }

        value = value == long.MaxValue ? 0 : value;
        return true;
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static T? Optional<T>(YamlMappingNode entry, string key, string path, int line, TryParse<T> parse, string expected)
        where T : struct
    {
        var text = YamlFile.GetScalar(entry, key, path);
        if (text is null)
        {
            return null;
        }

        return parse(text, out var value) ? value : throw Errors.MappingValueInvalid(path, line, key, text, expected);
    }
}
