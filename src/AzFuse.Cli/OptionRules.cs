using System.CommandLine;
using System.Globalization;

namespace AzFuse.Cli;

/// <summary>Value checks shared by the commands' options.</summary>
internal static class OptionRules
{
    /// <summary>
    /// Rejects a number below <paramref name="minimum"/>. Reads the token itself: a value that does
    /// not parse as a number is already reported by the parser, and asking the result for it then
    /// would throw instead of adding a second, clearer error.
    /// </summary>
    public static void AtLeast(Option<int> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 &&
                int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) &&
                value < minimum)
            {
                result.AddError($"{option.Name} must be {minimum} or more (got {value}).");
            }
        });
    }
}
