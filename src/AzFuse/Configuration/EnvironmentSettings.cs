using System.Globalization;
using AzFuse.Diagnostics;

namespace AzFuse.Configuration;

/// <summary>
/// Reads the environment variables as the Python tool does (its <c>get_azfuse_env</c>): each
/// setting <c>NAME</c> is taken from <c>QD_NAME</c> first, then from <c>AZFUSE_NAME</c>, so that
/// jobs written for either tool, or for the tool's predecessor, run unchanged.
/// </summary>
internal sealed class EnvironmentSettings
{
    /// <summary>The Python tool's garbage-collection limit when <c>AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX</c> is not set: half of the disk.</summary>
    public const double DefaultCollectionLimit = 0.5;

    private readonly Func<string, string?> _variables;

    public EnvironmentSettings(Func<string, string?> variables)
    {
        _variables = variables;
    }

    /// <summary>The process's environment.</summary>
    public static EnvironmentSettings Process { get; } = new(Environment.GetEnvironmentVariable);

    /// <summary>The value of setting <paramref name="name"/> (without prefix), blank read as unset, and the variable it came from.</summary>
    public (string? Value, string Variable) Get(string name)
    {
        foreach (var prefix in new[] { "QD_", "AZFUSE_" })
        {
            if (_variables(prefix + name) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), prefix + name);
            }
        }

        return (null, "AZFUSE_" + name);
    }

    /// <summary>
    /// Whether AzFuse is on: as the Python tool, the sum of <c>TSV_USE_FUSE</c> (the older name) and
    /// <c>USE_FUSE</c> as integers is not zero, so <c>AZFUSE_USE_FUSE=2</c> is on. <c>true</c>/<c>false</c>
    /// (and yes/no, on/off) are read as 1 and 0.
    /// </summary>
    /// <exception cref="AzFuseConfigurationException">A value that is neither.</exception>
    public bool UseFuse() => Switch("TSV_USE_FUSE") + Switch("USE_FUSE") != 0;

    /// <summary>
    /// The Python tool's garbage collector, as a size limit of the cache folders: none unless
    /// <c>USE_FUSE_ENABLE_GARBAGE_COLLECTION</c> is on; then <c>CLOUD_FUSE_GARBAGE_COLLECTION_MAX</c>
    /// (default 0.5), a fraction of the cache's disk when below 1, else a number of bytes.
    /// </summary>
    /// <exception cref="AzFuseConfigurationException">A value that is not a positive number.</exception>
    public (long? Bytes, double? DiskFraction) CollectionLimit()
    {
        if (Switch("USE_FUSE_ENABLE_GARBAGE_COLLECTION") == 0)
        {
            return (null, null);
        }

        var (text, variable) = Get("CLOUD_FUSE_GARBAGE_COLLECTION_MAX");
        var limit = DefaultCollectionLimit;
        if (text is not null && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out limit) || !double.IsFinite(limit) || limit <= 0 || limit >= long.MaxValue))
        {
            throw Errors.CollectionLimitInvalid(variable, text);
        }

        return limit < 1 ? (null, limit) : ((long)limit, null);
    }

    private int Switch(string name)
    {
        var (text, variable) = Get(name);
        if (text is null)
        {
            return 0;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => 1,
            "false" or "no" or "off" => 0,
            _ => throw Errors.EnvironmentSwitchInvalid(variable, text),
        };
    }
}
