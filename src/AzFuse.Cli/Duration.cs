using System.Globalization;

namespace AzFuse.Cli;

/// <summary>Durations on the command line: a number and a unit, <c>30d</c>, <c>12h</c>, <c>90m</c>, <c>45s</c>.</summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(number),
            'h' => TimeSpan.FromHours(number),
            'm' => TimeSpan.FromMinutes(number),
            's' => TimeSpan.FromSeconds(number),
            _ => null,
        };
        duration = parsed ?? default;
        return parsed is not null;
    }
}
