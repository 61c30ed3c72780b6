namespace AzFuse;

/// <summary>
/// One or more files could not be transferred. Every other file in the same call was
/// still transferred; <see cref="Failures"/> names each file that was not, and why.
/// </summary>
public sealed class AzFuseTransferException : AzFuseException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A summary naming the files.</param>
    /// <param name="failures">One entry per file that failed.</param>
    public AzFuseTransferException(string message, IReadOnlyList<TransferFailure> failures)
        : base(message, failures.Count == 1 ? failures[0].Exception : null)
    {
        Failures = failures;
    }

    /// <summary>Each file that failed, with its cause.</summary>
    public IReadOnlyList<TransferFailure> Failures { get; }
}
