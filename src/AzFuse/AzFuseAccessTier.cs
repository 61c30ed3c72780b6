namespace AzFuse;

/// <summary>The access tiers a blob can be set to (<see cref="AzFuseClient.SetAccessTier"/>), from the cheapest to read to the cheapest to keep.</summary>
public enum AzFuseAccessTier
{
    /// <summary>Frequently read data.</summary>
    Hot,

    /// <summary>Data kept at least 30 days and read rarely.</summary>
    Cool,

    /// <summary>Data kept at least 90 days and read very rarely (the Python tool's <c>cold</c>).</summary>
    Cold,

    /// <summary>Offline: cannot be read until rehydrated to another tier, which takes hours.</summary>
    Archive,
}
