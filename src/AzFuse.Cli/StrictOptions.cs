using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace AzFuse.Cli;

/// <summary>
/// Finds options the command does not have. System.CommandLine hands an unknown option to a
/// command's arguments when they take any (<c>ls --bogus</c> would list a path '--bogus'), and
/// reads the unknown letters of a bundle as arguments (<c>rm -rf</c> would delete a path 'f'); a
/// typo in a destructive command must stop it, not change what it acts on. Everything after
/// <c>--</c> is an argument, as usual (<c>azfuse cat -- -odd-name</c>).
/// </summary>
internal static class StrictOptions
{
    /// <summary>The first option in <paramref name="args"/> that the invoked command does not know, or <see langword="null"/>.</summary>
    public static string? FindUnknown(ParseResult result, IReadOnlyList<string> args)
    {
        var options = InScope(result.CommandResult).ToList();
        var byName = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            foreach (var name in option.Aliases.Append(option.Name))
            {
                byName.TryAdd(name, option);
            }
        }

        var valueFollows = false;
        foreach (var arg in args)
        {
            if (arg == "--")
            {
                break;
            }

            if (valueFollows)
            {
                // The value of the option before, whatever it looks like (head -n -1 is the validator's to refuse).
                valueFollows = false;
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                continue;
            }

            var separator = arg.IndexOfAny(['=', ':']);
            var name = separator > 0 ? arg[..separator] : arg;
            if (byName.TryGetValue(name, out var known))
            {
                valueFollows = separator < 0 && TakesValue(known);
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                return name;
            }

            // A bundle of one-letter options (-ry), the last of which may take the rest as its value (-n5).
            for (var i = 1; i < arg.Length; i++)
            {
                var letter = "-" + arg[i];
                if (!byName.TryGetValue(letter, out var option))
                {
                    return letter;
                }

                if (TakesValue(option))
                {
                    valueFollows = i == arg.Length - 1;
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>A command's synopsis, such as <c>azfuse rm [-r|--recursive] [-y|--yes] PATH...</c>.</summary>
    public static string Usage(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? current = command; current is CommandResult c; current = c.Parent)
        {
            names.Insert(0, c.Command.Name);
        }

        var text = new StringBuilder(string.Join(' ', names));
        foreach (var option in command.Command.Options.Where(o => !o.Hidden))
        {
            var spellings = string.Join('|', option.Aliases.Order(StringComparer.Ordinal).Append(option.Name));
            text.Append(" [").Append(spellings).Append(TakesValue(option) ? " " + (option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant()) : string.Empty).Append(']');
        }

        foreach (var argument in command.Command.Arguments.Where(a => !a.Hidden))
        {
            var many = argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty;
            text.Append(' ').Append(argument.Arity.MinimumNumberOfValues == 0 ? $"[{argument.Name}{many}]" : argument.Name + many);
        }

        return text.ToString();
    }

    /// <summary>The command's own options, and the recursive ones of the commands above it (--verbose, --help, -c, --config).</summary>
    private static IEnumerable<Option> InScope(CommandResult command)
    {
        foreach (var option in command.Command.Options)
        {
            yield return option;
        }

        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            foreach (var option in parent.Command.Options.Where(o => o.Recursive))
            {
                yield return option;
            }
        }
    }

    private static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
}
