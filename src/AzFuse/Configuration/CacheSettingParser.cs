using System.Globalization;
using System.Text.RegularExpressions;

namespace AzFuse.Configuration;

/// <summary>
/// Reads the cache settings of a mapping as people write them: durations such as <c>30s</c>,
/// <c>10m</c>, <c>1h30m</c> or <c>2d</c>, and sizes such as <c>512MB</c>, <c>50GB</c> or <c>1.5TiB</c>.
/// </summary>
internal static partial class CacheSettingParser
{
    /// <summary>Written as the value, turns a setting off even where <see cref="AzFuseOptions"/> sets a default.</summary>
    private static readonly string[] s_offWords = ["off", "never", "none", "unlimited", "false"];

    /// <summary>
    /// Parses <paramref name="text"/> into a duration; <see cref="Timeout.InfiniteTimeSpan"/> for an
    /// off word. Accepts unit terms (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>), one or more in a
    /// row, a bare number of seconds, and .NET's <c>hh:mm:ss</c>.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        text = text.Trim();
        value = default;
        if (IsOff(text))
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryFrom(seconds * TimeSpan.TicksPerSecond, out value);
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        if (!DurationPattern().IsMatch(text))
        {
            return false;
        }

        double ticks = 0;
        foreach (Match term in DurationTerm().Matches(text))
        {
            var number = double.Parse(term.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * term.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => TimeSpan.TicksPerDay,
            };
        }

        return TryFrom(ticks, out value);
    }

    /// <summary>
    /// Parses <paramref name="text"/> into a number of bytes; <see cref="long.MaxValue"/> for an off
    /// word. <c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> are powers of 1000 (as disks are sold);
    /// <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c> and the bare <c>K</c>, <c>M</c>, <c>G</c>, <c>T</c> are powers of 1024.
    /// </summary>
    public static bool TryParseSize(string text, out long value)
    {
        text = text.Trim();
        value = default;
        if (IsOff(text))
        {
            value = long.MaxValue;
            return true;
        }

        var match = SizePattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToUpperInvariant();
        double multiplier = unit switch
        {
            "" or "B" => 1,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            _ => 1L << 40,
        };
        var bytes = number * multiplier;
        if (bytes is < 1 or >= long.MaxValue)
        {
            return false;
        }

        value = (long)bytes;
        return true;
    }

    /// <summary>
    /// Parses <paramref name="text"/> as a part of a disk: a percentage (<c>50%</c>, above 0 and at
    /// most 100) or a bare number below 1 (<c>0.5</c>), as the Python tool's garbage-collection limit
    /// reads a value below 1.
    /// </summary>
    public static bool TryParseFraction(string text, out double value)
    {
        text = text.Trim();
        var percent = text.EndsWith('%');
        var number = percent ? text[..^1].TrimEnd() : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        value = percent ? value / 100 : value;
        return value > 0 && (percent ? value <= 1 : value < 1);
    }

    private static bool IsOff(string text) => s_offWords.Contains(text, StringComparer.OrdinalIgnoreCase);

    private static bool TryFrom(double ticks, out TimeSpan value)
    {
        value = default;
        if (double.IsNaN(ticks) || ticks < 0 || ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    [GeneratedRegex(@"^(\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*)+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationTerm();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|K|M|G|T)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
