using System.Security.Cryptography;
using System.Text;
using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Where <c>AsyncUpload(shmAsTmp: true)</c> puts written files until they are uploaded: a private
/// folder per user under <c>/dev/shm</c>, one root per cache root, mirroring the cache's layout.
/// Writing to memory is faster than to disk; the price is that content not yet uploaded does
/// not survive a reboot (it does survive the process being killed).
/// </summary>
internal sealed class SharedMemoryStaging
{
    private readonly string _folder;
    private readonly ILogger _logger;
    private int _warned;

    public SharedMemoryStaging(string folder, ILogger logger)
    {
        _folder = Path.GetFullPath(folder);
        _logger = logger;
    }

    /// <summary>
    /// The staging root for <paramref name="cacheRoot"/>, created (readable by this user only), or
    /// <see langword="null"/> when the shared-memory folder does not exist here; that is logged once.
    /// </summary>
    public string? CreateRoot(string cacheRoot)
    {
        if (!Directory.Exists(_folder))
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.SharedMemoryUnavailable(_logger, _folder);
            }

            return null;
        }

        var root = RootOf(cacheRoot);
        var userFolder = Path.GetDirectoryName(root)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root);
        }
        else
        {
            // Others may not read what this user wrote: the folder is 0700.
            Directory.CreateDirectory(userFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return root;
    }

    /// <summary>Where the staged copy of <paramref name="cachePath"/> lives (whether or not it exists).</summary>
    public string StagedPathOf(string cacheRoot, string cachePath) =>
        Path.Combine(RootOf(cacheRoot), Path.GetRelativePath(cacheRoot, cachePath));

    /// <summary>The staging root of <paramref name="cacheRoot"/> (whether or not it exists).</summary>
    public string RootOf(string cacheRoot)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cacheRoot)))[..16].ToLowerInvariant();
        return Path.Combine(_folder, "azfuse-" + Environment.UserName, hash);
    }
}
