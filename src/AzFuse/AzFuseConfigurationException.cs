namespace AzFuse;

/// <summary>
/// A configuration file (the mapping YAML or a storage account YAML) or an environment
/// variable is missing or invalid. The message names the file, the line when known,
/// and what to change.
/// </summary>
public sealed class AzFuseConfigurationException : AzFuseException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="filePath">The configuration file at fault, when there is one.</param>
    /// <param name="line">The 1-based line in <paramref name="filePath"/>, when known.</param>
    /// <param name="innerException">The cause, such as a YAML parser error.</param>
    public AzFuseConfigurationException(string message, string? filePath = null, int? line = null, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The configuration file at fault, or <see langword="null"/> when the fault is not in a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line in <see cref="FilePath"/> where the fault is, when known.</summary>
    public int? Line { get; }
}
