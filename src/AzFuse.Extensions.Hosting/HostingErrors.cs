using System.Globalization;

namespace AzFuse.Extensions.Hosting;

/// <summary>
/// The messages of this package, phrased as the library's (what is wrong, which key, what to do).
/// Its own class, not the library's internal <c>Errors</c>: a separate package may run against a
/// newer AzFuse, so it reaches nothing internal.
/// </summary>
internal static class HostingErrors
{
    // ----- observability / hosting ----------------------------------------------------------

    public static string UnknownKey(string key, IEnumerable<string> known) =>
        $"{key}: not an AzFuse option (misspelt?). The options read from configuration are: {string.Join(", ", known)}.";

    public static string NotAValue(string key) =>
        $"{key}: must be a single value, not a section. Credentials, the transport and the clock are set in code: services.Configure<AzFuseOptions>(o => ...).";

    public static string NotConvertible(string key, string value, Type type) =>
        $"{key}: '{value}' is not {Describe(Nullable.GetUnderlyingType(type) ?? type)}.";

    public static string ValueRejected(string key, string value, ArgumentException rejected)
    {
        // The setter's message without the "(Parameter 'X')" and "Actual value was" tails: the key says which.
        var message = rejected.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return $"{key}: '{value}' is not allowed: {(cut >= 0 ? message[..cut] : message)}";
    }

    public static string MappingFileNotSet(string mappingKey, string enabledKey) =>
        $"{mappingKey} is not set, but {enabledKey} is true. Set it to the YAML file that maps logical paths to cache folders and containers, or set {enabledKey} to false to work on local files.";

    public static string MappingFileMissing(string key, string path) =>
        $"{key}: the mapping file '{path}' does not exist. Check the path (a relative path is taken from the current directory, '{Environment.CurrentDirectory}').";

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (one day)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a " + type.Name.ToLower(CultureInfo.InvariantCulture),
    };
}
