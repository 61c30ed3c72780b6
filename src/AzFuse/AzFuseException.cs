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

    /// <summary>
    /// Whether trying again may succeed (the service was unreachable, busy or failing, or azcopy
    /// stalled), as opposed to a cause that needs a fix first (access denied, no container).
    /// </summary>
    internal bool IsTransient { get; init; }

    /// <summary>
    /// Whether a transient failure has already been retried as often as the options allow (by the
    /// REST client, request by request), so that a caller retrying whole transfers gives up at once.
    /// </summary>
    internal bool WasRetried { get; set; }

    /// <summary>Whether the service denied access (a 403): a storage account file changed on disk may cure it.</summary>
    internal bool IsAccessDenied { get; init; }

    /// <summary>Whether the content to upload no longer exists, so no retry can ever succeed.</summary>
    internal bool IsContentMissing { get; init; }
}
