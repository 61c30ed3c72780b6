namespace AzFuse.Cli;

/// <summary>The tool's exit codes, as the issue fixes them: scripts rely on these three values.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An operation failed (a missing file, a transfer error, a declined confirmation, a failed doctor check).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (unknown command or option, a value that does not parse).</summary>
    public const int BadUsage = 2;
}
