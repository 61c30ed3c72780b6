namespace AzFuse.Cli;

/// <summary>The command line is well-formed but asks for something that cannot be done as written: exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
