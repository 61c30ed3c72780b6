using Microsoft.Extensions.Logging;

namespace AzFuse;

/// <summary>
/// The static entry point: <c>using var s = AzFile.Open("data/abc.txt", FileMode.Open);</c>.
/// Every member forwards to <see cref="Default"/>, an <see cref="AzFuseClient"/> built from the
/// environment on first use; see that class for the behaviour.
/// </summary>
public static class AzFile
{
    private static AzFuseClient? s_default;

    /// <summary>
    /// The client every member uses. Built from the environment on first use, silent (no logging);
    /// replace it to configure AzFuse in code.
    /// </summary>
    public static AzFuseClient Default
    {
        get => Volatile.Read(ref s_default) ?? InitializeDefault();
        set => Volatile.Write(ref s_default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Sends the default client's log events to <paramref name="loggerFactory"/> (rebuilding it from the environment).</summary>
    /// <param name="loggerFactory">The logger factory to use.</param>
    public static void UseLoggerFactory(ILoggerFactory loggerFactory) => Default = AzFuseClient.FromEnvironment(loggerFactory);

    /// <inheritdoc cref="AzFuseClient.Open(string, FileMode)"/>
    public static Stream Open(string path, FileMode mode) => Default.Open(path, mode);

    /// <inheritdoc cref="AzFuseClient.Open(string, FileMode, FileAccess)"/>
    public static Stream Open(string path, FileMode mode, FileAccess access) => Default.Open(path, mode, access);

    /// <inheritdoc cref="AzFuseClient.OpenAsync(string, FileMode, CancellationToken)"/>
    public static ValueTask<Stream> OpenAsync(string path, FileMode mode, CancellationToken cancellationToken = default) => Default.OpenAsync(path, mode, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.OpenAsync(string, FileMode, FileAccess, CancellationToken)"/>
    public static ValueTask<Stream> OpenAsync(string path, FileMode mode, FileAccess access, CancellationToken cancellationToken = default) => Default.OpenAsync(path, mode, access, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.Prepare(IEnumerable{string})"/>
    public static void Prepare(IEnumerable<string> paths) => Default.Prepare(paths);

    /// <inheritdoc cref="AzFuseClient.PrepareAsync(IEnumerable{string}, CancellationToken)"/>
    public static Task PrepareAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) => Default.PrepareAsync(paths, cancellationToken);

    /// <inheritdoc cref="AzFuseClient.ClearCache(string)"/>
    public static void ClearCache(string path) => Default.ClearCache(path);

    private static AzFuseClient InitializeDefault()
    {
        Interlocked.CompareExchange(ref s_default, AzFuseClient.FromEnvironment(), null);
        return s_default!;
    }
}
