namespace AzFuse.Extensions.Hosting;

/// <summary>How <c>AddAzFuse</c> ties AzFuse to the host, beside the <see cref="AzFuseOptions"/> bound from configuration.</summary>
public sealed class AzFuseHostingOptions
{
    /// <summary>
    /// Whether the host's client becomes <see cref="AzFile.Default"/> when the host starts, so that
    /// code using the static <see cref="AzFile"/> shares it. Default <see langword="true"/>.
    /// </summary>
    public bool SetAzFileDefault { get; set; } = true;

    /// <summary>
    /// Whether the host's start uploads what earlier runs left pending, and waits for it (a failure
    /// is logged, not thrown: the records stay for a later resume). Default <see langword="true"/>.
    /// </summary>
    public bool ResumePendingUploadsAtStart { get; set; } = true;
}
