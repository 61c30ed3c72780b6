namespace AzFuse.Diagnostics;

/// <summary>
/// A blob changed between two requests of one read (its ETag no longer matched): a parallel download
/// starts over from the new version, and a streamed read fails instead of mixing versions. Callers
/// catch it as an <see cref="AzFuseException"/>; its own type only so that the library can tell it
/// from other failures.
/// </summary>
internal sealed class BlobChangedException : AzFuseException
{
    public BlobChangedException(string message)
        : base(message)
    {
    }
}
