using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>Reads the keys of a YAML mapping as the loaders need them: booleans the way PyYAML reads them, and a warning for keys nobody reads.</summary>
internal static class YamlKeys
{
    /// <summary>
    /// Logs a warning for every key of <paramref name="mapping"/> not in <paramref name="known"/>:
    /// a misspelt key (<c>sas_tokn</c>) is otherwise silently ignored. Unknown keys still load, so
    /// that files written for newer versions, or for the Python tool, keep working.
    /// </summary>
    public static void WarnUnknown(YamlMappingNode mapping, IReadOnlyCollection<string> known, string path, ILogger logger)
    {
        foreach (var (key, _) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && !known.Contains(name))
            {
                Log.UnknownYamlKey(logger, name, YamlInheritance.FileOfKey(key, path), YamlFile.LineOf(key), string.Join(", ", known));
            }
        }
    }

    /// <summary>
    /// A YAML 1.1 boolean as PyYAML reads it (<c>true</c>, <c>True</c>, <c>yes</c>, <c>on</c>, ...);
    /// <see langword="null"/> when the key is absent or null. Anything else is an error naming the line.
    /// </summary>
    public static bool? GetBoolean(YamlMappingNode mapping, string key, string path)
    {
        var text = YamlFile.GetScalar(mapping, key, path);
        if (text is null)
        {
            return null;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "y" or "on" => true,
            "false" or "no" or "n" or "off" => false,
            _ => throw Errors.YamlValueNotBoolean(YamlInheritance.FileOf(mapping, key, path), LineOf(mapping, key), key, text),
        };
    }

    /// <summary>
    /// Where <paramref name="key"/> of <paramref name="mapping"/> is written: the file (a base file,
    /// for a value inherited through <c>_base_</c>; else <paramref name="path"/>) and its line.
    /// </summary>
    public static (string File, int Line) Where(YamlMappingNode mapping, string key, string path) =>
        (YamlInheritance.FileOf(mapping, key, path), LineOf(mapping, key));

    /// <summary>The line of <paramref name="key"/> in <paramref name="mapping"/>, else of the mapping itself.</summary>
    public static int LineOf(YamlMappingNode mapping, string key)
    {
        foreach (var (node, _) in mapping.Children)
        {
            if (node is YamlScalarNode { Value: { } name } && name == key)
            {
                return YamlFile.LineOf(node);
            }
        }

        return YamlFile.LineOf(mapping);
    }
}
