using System.Security.Cryptography;
using System.Text;
using AzFuse.Diagnostics;
using AzFuse.IO;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Where <c>AsyncUpload(shmAsTmp: true)</c> puts written files until they are uploaded: a private
/// folder per user under <c>/dev/shm</c>, one root per cache root, mirroring the cache's layout.
/// Writing to memory is faster than to disk; the price is that content not yet uploaded does
/// not survive a reboot (it does survive the process being killed).
/// </summary>
/// <remarks>
/// <c>/dev/shm</c> is shared by every local user, and anyone may create <c>azfuse-NAME</c> there
/// before NAME does. So the user folder is used only while it is a real folder (not a link),
/// owned by this user, and closed to group and others (it is created with mode 0700); otherwise
/// it is refused, nothing is read from or written to it, and written files are staged in the
/// cache folder instead, with a warning. It is never repaired: a folder someone else made may
/// already hold their files or links.
/// </remarks>
internal sealed class SharedMemoryStaging
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _folder;
    private readonly string _userFolder;
    private readonly ILogger _logger;
    private int _warned;

    public SharedMemoryStaging(string folder, ILogger logger)
    {
        _folder = Path.GetFullPath(folder);
        _userFolder = Path.Combine(_folder, "azfuse-" + Environment.UserName);
        _logger = logger;
    }

    /// <summary>
    /// The staging root for <paramref name="cacheRoot"/>, created (readable by this user only), or
    /// <see langword="null"/> when the shared-memory folder does not exist here or the user folder
    /// in it cannot be trusted; that is logged once.
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

        if (NativeFiles.StatusOf(_userFolder) is null)
        {
            // mkdir with 0700: the umask can only take bits away, so at no moment can others open it.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(_userFolder);
            }
            else
            {
                Directory.CreateDirectory(_userFolder, Private);
            }
        }

        if (Refusal() is { } reason)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.SharedMemoryRefused(_logger, _userFolder, reason);
            }

            return null;
        }

        var root = RootOf(cacheRoot);
        ContainedFolders.Create(_userFolder, root);
        return root;
    }

    /// <summary>
    /// Where the staged copy of <paramref name="cachePath"/> lives (whether or not it exists), or
    /// <see langword="null"/> when the user folder cannot be trusted (or does not exist): nothing is
    /// then read from it.
    /// </summary>
    public string? StagedPathOf(string cacheRoot, string cachePath) =>
        TrustedRootOf(cacheRoot) is { } root ? PathUnder(root, cacheRoot, cachePath) : null;

    /// <summary>The copy of <paramref name="cachePath"/> under the staging root <paramref name="stagingRoot"/>.</summary>
    public static string PathUnder(string stagingRoot, string cacheRoot, string cachePath) =>
        Path.Combine(stagingRoot, Path.GetRelativePath(cacheRoot, cachePath));

    /// <summary>The staging root of <paramref name="cacheRoot"/> when the user folder exists and can be trusted; else <see langword="null"/>.</summary>
    public string? TrustedRootOf(string cacheRoot) => Refusal() is null ? RootOf(cacheRoot) : null;

    /// <summary>The staging root of <paramref name="cacheRoot"/> (whether or not it exists or can be trusted).</summary>
    public string RootOf(string cacheRoot)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cacheRoot)))[..16].ToLowerInvariant();
        return Path.Combine(_userFolder, hash);
    }

    /// <summary>Why the user folder may not be used, or <see langword="null"/> when it may.</summary>
    private string? Refusal()
    {
        var status = NativeFiles.StatusOf(_userFolder);
        if (status is null)
        {
            return "it does not exist";
        }

        if (status.Value.Kind != FileKind.Directory)
        {
            return status.Value.Kind == FileKind.Link ? "it is a symbolic link" : "it is not a folder";
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = NativeFiles.HasIdentity ? status.Value.Mode : File.GetUnixFileMode(_userFolder);
        if (NativeFiles.HasIdentity && status.Value.Owner != NativeFiles.EffectiveUserId)
        {
            return $"it belongs to user id {status.Value.Owner}, not to this user";
        }

        return ((int)mode & 0b000_111_111) != 0
            ? $"group or others may use it (mode {Convert.ToString((int)mode & 0b111_111_111, 8)}; it must be 700)"
            : null;
    }
}
