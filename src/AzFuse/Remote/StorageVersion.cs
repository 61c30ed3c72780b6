namespace AzFuse.Remote;

/// <summary>The REST API version every request and every SAS this library makes is pinned to.</summary>
internal static class StorageVersion
{
    // 2021-08-06: supported by every Azure region and by Azurite 3.x; its service SAS
    // string-to-sign is the 16-field form that ServiceSas builds.
    public const string Current = "2021-08-06";
}
