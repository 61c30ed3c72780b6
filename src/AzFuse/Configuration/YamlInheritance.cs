using System.Runtime.CompilerServices;
using AzFuse.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// <c>_base_: FILE</c> in a YAML mapping, as the Python tool's <c>load_from_yaml_file</c> reads it:
/// the file names another (relative to its own folder), which is loaded first (with its own
/// <c>_base_</c>), and this file's values are written over it key by key, into nested mappings;
/// a list or a scalar replaces the base's value whole. So a storage account file can say
/// <c>_base_: common.yaml</c> and add only its <c>container_name</c>.
/// </summary>
/// <remarks>
/// Each key remembers the file it came from, so that an error about a value names the file that
/// holds it (<see cref="FileOf(YamlMappingNode, string, string)"/>), not the one that inherits it.
/// </remarks>
internal static class YamlInheritance
{
    public const string BaseKey = "_base_";

    /// <summary>How deep bases may chain; far more than any real setup, and a bound on a runaway chain.</summary>
    private const int MaxDepth = 16;

    private static readonly ConditionalWeakTable<YamlNode, string> s_origins = [];

    /// <summary>The file's root node with its bases merged in; <see langword="null"/> for an empty file.</summary>
    public static YamlNode? Load(string path, string whatItIs) => LoadChain(Path.GetFullPath(path), whatItIs, []);

    /// <summary>
    /// The file and the bases it names, in order, as far as they can be read (an unreadable one ends
    /// the list; <see cref="Load"/> reports it): what a reload watches for changes.
    /// </summary>
    public static IReadOnlyList<string> FilesOf(string path)
    {
        var files = new List<string> { Path.GetFullPath(path) };
        while (files.Count < MaxDepth)
        {
            YamlNode? root;
            try
            {
                root = YamlFile.LoadRoot(files[^1], "YAML file");
            }
            catch (AzFuseConfigurationException)
            {
                break;
            }

            if (root is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(BaseKey), out var value) || value is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                break;
            }

            var next = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(files[^1])!, name));
            if (files.Contains(next, StringComparer.Ordinal))
            {
                break;
            }

            files.Add(next);
        }

        return files;
    }

    /// <summary>The file that holds <paramref name="key"/> of <paramref name="mapping"/>, or <paramref name="fallback"/>.</summary>
    public static string FileOf(YamlMappingNode mapping, string key, string fallback)
    {
        foreach (var (node, _) in mapping.Children)
        {
            if (node is YamlScalarNode { Value: { } name } && name == key)
            {
                return FileOfKey(node, fallback);
            }
        }

        return fallback;
    }

    /// <summary>The file a key node was read from, or <paramref name="fallback"/>.</summary>
    public static string FileOfKey(YamlNode keyNode, string fallback) => s_origins.TryGetValue(keyNode, out var file) ? file : fallback;

    private static YamlNode? LoadChain(string path, string whatItIs, List<string> chain)
    {
        var root = YamlFile.LoadRoot(path, whatItIs);
        if (root is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(BaseKey), out var baseValue))
        {
            return root;
        }

        var line = YamlKeys.LineOf(map, BaseKey);
        if (baseValue is not YamlScalarNode { Value: { Length: > 0 } baseName })
        {
            throw Errors.YamlBaseInvalid(path, line, "must name a file, such as '_base_: common.yaml'");
        }

        chain.Add(path);
        var basePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, baseName));
        if (chain.Contains(basePath, StringComparer.Ordinal))
        {
            throw Errors.YamlBaseInvalid(path, line, $"makes a loop ({string.Join(" -> ", chain.Append(basePath))})");
        }

        if (chain.Count >= MaxDepth)
        {
            throw Errors.YamlBaseInvalid(path, line, $"is more than {MaxDepth} files deep");
        }

        var baseRoot = LoadChain(basePath, whatItIs, chain);
        if (baseRoot is not YamlMappingNode baseMap)
        {
            throw Errors.YamlBaseInvalid(path, line, $"names '{basePath}', which is not a YAML mapping");
        }

        chain.RemoveAt(chain.Count - 1);
        map.Children.Remove(new YamlScalarNode(BaseKey));
        Remember(baseMap, basePath);
        Remember(map, path);
        Merge(baseMap, map);
        return baseMap;
    }

    /// <summary>Writes <paramref name="overlay"/> over <paramref name="target"/>: nested mappings key by key, anything else whole (an empty mapping too, as the Python tool does).</summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode overlay)
    {
        foreach (var (key, value) in overlay.Children)
        {
            if (value is YamlMappingNode { Children.Count: > 0 } nested &&
                target.Children.TryGetValue(key, out var existing) && existing is YamlMappingNode existingMap)
            {
                Merge(existingMap, nested);
                continue;
            }

            // Removed first, so that the key node (and so the file it is remembered from) is the overlay's.
            target.Children.Remove(key);
            target.Children.Add(key, value);
        }
    }

    /// <summary>Remembers the file of every key not remembered yet (a base's keys keep their own file).</summary>
    private static void Remember(YamlMappingNode map, string file)
    {
        foreach (var (key, value) in map.Children)
        {
            s_origins.TryAdd(key, file);
            if (value is YamlMappingNode nested)
            {
                Remember(nested, file);
            }
        }
    }
}
