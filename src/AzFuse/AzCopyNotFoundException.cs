namespace AzFuse;

/// <summary>
/// The azcopy executable was needed and could not be found. <see cref="SearchedLocations"/>
/// lists every place that was tried, in order; the message says how to install it.
/// </summary>
public sealed class AzCopyNotFoundException : AzFuseException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Where AzFuse looked and how to install azcopy.</param>
    /// <param name="searchedLocations">The locations tried, in order.</param>
    public AzCopyNotFoundException(string message, IReadOnlyList<string> searchedLocations)
        : base(message)
    {
        SearchedLocations = searchedLocations;
    }

    /// <summary>The locations searched for azcopy, in the order they were tried.</summary>
    public IReadOnlyList<string> SearchedLocations { get; }
}
