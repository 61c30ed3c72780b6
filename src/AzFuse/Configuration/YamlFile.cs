using AzFuse.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Reads a YAML file into YamlDotNet's representation model, which keeps the line of every
/// node so that an error can point at it. A plain deserializer would lose the lines.
/// </summary>
internal static class YamlFile
{
    /// <summary>The document's root node, or <see langword="null"/> for an empty file.</summary>
    public static YamlNode? LoadRoot(string path, string whatItIs)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException ex)
        {
            throw Errors.ConfigFileMissing(path, whatItIs, ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw Errors.ConfigFileMissing(path, whatItIs, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Errors.ConfigFileUnreadable(path, whatItIs, ex);
        }

        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw Errors.MalformedYaml(path, (int)ex.Start.Line, ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (without a position) for some malformed input,
            // such as an unclosed flow sequence; the last event it parsed is the best pointer.
            throw Errors.MalformedYaml(path, (int)(parser.Current?.End.Line ?? 1), "unexpected content after this point, such as an unclosed bracket or quote", ex);
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    /// <summary>
    /// A scalar value; <see langword="null"/> for a missing key or YAML null (<c>null</c>, <c>~</c>, empty),
    /// as PyYAML reads them.
    /// </summary>
    public static string? GetScalar(YamlMappingNode mapping, string key, string path)
    {
        if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw Errors.YamlValueNotScalar(path, (int)node.Start.Line, key);
        }

        var isPlainNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain &&
            (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");
        return isPlainNull ? null : scalar.Value;
    }

    public static int LineOf(YamlNode node) => (int)node.Start.Line;
}
