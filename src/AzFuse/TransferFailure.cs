namespace AzFuse;

/// <summary>A file that could not be transferred, and why.</summary>
public sealed class TransferFailure
{
    /// <summary>Creates a failure record.</summary>
    /// <param name="path">The logical path of the file.</param>
    /// <param name="exception">The cause: a <see cref="FileNotFoundException"/> when the blob does not exist.</param>
    public TransferFailure(string path, Exception exception)
    {
        Path = path;
        Exception = exception;
    }

    /// <summary>The logical path of the file, as the caller passed it.</summary>
    public string Path { get; }

    /// <summary>Why the transfer failed.</summary>
    public Exception Exception { get; }

    /// <summary><see langword="true"/> when the remote blob does not exist.</summary>
    public bool IsNotFound => Exception is FileNotFoundException;

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Exception.Message}";
}
