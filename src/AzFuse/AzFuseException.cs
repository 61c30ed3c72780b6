namespace AzFuse;

/// <summary>
/// The base type of every exception that AzFuse raises for a reason of its own
/// (configuration, transfer, tooling). Standard exceptions such as
/// <see cref="FileNotFoundException"/> are used where they fit instead.
/// </summary>
/// <remarks>Messages never contain a SAS signature or an account key.</remarks>
public class AzFuseException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public AzFuseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public AzFuseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
