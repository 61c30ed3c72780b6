using System.Text.Json;

namespace AzFuse.Transfer;

/// <summary>One line of azcopy's <c>--output-type json</c> output.</summary>
/// <param name="Type">MessageType: Init, Info, Progress, Error, EndOfJob, ...</param>
/// <param name="Content">MessageContent: text, or for Init/Progress/EndOfJob a JSON document in a string.</param>
internal sealed record AzCopyMessage(string Type, string Content)
{
    /// <summary>Parses a line; <see langword="null"/> for a line that is not one of azcopy's messages.</summary>
    public static AzCopyMessage? Parse(string line)
    {
        if (line.Length == 0 || line[0] != '{')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("MessageType", out var type) && root.TryGetProperty("MessageContent", out var content))
            {
                return new AzCopyMessage(type.GetString() ?? string.Empty, content.GetString() ?? string.Empty);
            }
        }
        catch (JsonException)
        {
            // Not a message (azcopy prints nothing else on stdout in JSON mode, but be tolerant).
        }

        return null;
    }
}
