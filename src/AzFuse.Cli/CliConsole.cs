using Spectre.Console;

namespace AzFuse.Cli;

/// <summary>
/// The process's standard streams as the commands see them: raw stdout for file content, text
/// writers for lines, a Spectre console for tables and progress, and whether stdout is a terminal.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(Stream stdout, TextWriter error, TextReader input, bool isTerminal)
    {
        StandardOutput = stdout;
        Out = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { AutoFlush = true };
        Error = error;
        In = input;
        IsTerminal = isTerminal;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            // Piped output is read by programs: never wrap a table row at an imagined 80 columns.
            Ansi.Profile.Width = 4096;
        }
    }

    /// <summary>Raw stdout: cat writes a file's bytes here unchanged.</summary>
    public Stream StandardOutput { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TextReader In { get; }

    /// <summary>Whether stdout is a terminal: live progress bars then, plain lines otherwise.</summary>
    public bool IsTerminal { get; }

    public IAnsiConsole Ansi { get; }

    /// <summary>
    /// Writes a line of text to stdout. On a terminal it goes through the Spectre console, which
    /// keeps a live progress bar below what is written while the bar is shown.
    /// </summary>
    public void WriteLine(string text)
    {
        if (IsTerminal)
        {
            Ansi.WriteLine(text);
        }
        else
        {
            Out.WriteLine(text);
        }
    }

    /// <summary>
    /// The real console. <c>AZFUSE_PROGRESS=plain</c> forces plain lines even on a terminal (for
    /// logs captured through a pseudo-terminal, such as CI runners).
    /// </summary>
    public static CliConsole FromProcess()
    {
        var plain = string.Equals(Environment.GetEnvironmentVariable("AZFUSE_PROGRESS"), "plain", StringComparison.OrdinalIgnoreCase);
        return new CliConsole(Console.OpenStandardOutput(), Console.Error, Console.In, isTerminal: !Console.IsOutputRedirected && !plain);
    }
}
