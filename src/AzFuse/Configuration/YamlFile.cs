using AzFuse.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Reads a YAML file into YamlDotNet's representation model, which keeps the line of every
/// node so that an error can point at it. A plain deserializer would lose the lines.
/// </summary>
/// <remarks>
/// Aliases (<c>*name</c>) are allowed, but what they add is capped at
/// <see cref="MaxNodesAddedByAliases"/> nodes: an alias of an alias of ... (a "billion laughs"
/// file) is a small file whose nodes multiply tenfold per level, and YamlDotNet hashes a mapping
/// key through every node it stands for (measured: a 466-byte mapping file of 9 levels used as
/// a key took 5 s of CPU to load, 10 levels 47 s). Counting stops such a file at the alias that
/// crosses the cap, having read no more than that (31-34 ms for both, most of it JIT).
/// </remarks>
internal static class YamlFile
{
    /// <summary>
    /// The most nodes that aliases may add to a file. Mapping and storage account files have a
    /// few dozen nodes; a file that aliases a shared block in each of hundreds of mappings stays
    /// far below this.
    /// </summary>
    public const int MaxNodesAddedByAliases = 10_000;

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
            stream.Load(new AliasBudget(parser, path));
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
            throw Errors.YamlValueNotScalar(YamlInheritance.FileOf(mapping, key, path), (int)node.Start.Line, key);
        }

        var isPlainNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain &&
            (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");
        return isPlainNull ? null : scalar.Value;
    }

    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    /// <summary>
    /// Passes the parser's events through, counting the nodes each anchor stands for and the
    /// nodes its aliases add; throws at the alias that would add more than the cap.
    /// </summary>
    private sealed class AliasBudget(IParser inner, string path) : IParser
    {
        private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);
        private readonly Stack<(AnchorName Anchor, long From)> _open = new();
        private long _nodes;
        private long _added;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case AnchorAlias alias:
                    // An anchor still open (an alias inside its own node) counts as one node here;
                    // the representation model reports such a file itself.
                    var size = _sizes.GetValueOrDefault(alias.Value.Value, 1);
                    _added += size;
                    if (_added > MaxNodesAddedByAliases)
                    {
                        throw Errors.YamlAliasesTooLarge(path, (int)alias.Start.Line, MaxNodesAddedByAliases);
                    }

                    _nodes += size;
                    break;
                case Scalar scalar:
                    _nodes++;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        _sizes[scalar.Anchor.Value] = 1;
                    }

                    break;
                case SequenceStart or MappingStart:
                    _open.Push((((NodeEvent)inner.Current).Anchor, _nodes));
                    _nodes++;
                    break;
                case SequenceEnd or MappingEnd:
                    var (anchor, from) = _open.Pop();
                    if (!anchor.IsEmpty)
                    {
                        _sizes[anchor.Value] = _nodes - from;
                    }

                    break;
            }

            return true;
        }
    }
}
