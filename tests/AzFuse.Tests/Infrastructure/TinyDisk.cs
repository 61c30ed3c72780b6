using System.Diagnostics;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// A small tmpfs mounted over a folder for one test (the tests run as root), filled up to a little
/// headroom with a file named <c>filler</c>: a disk that fills up on demand. Unmounted when disposed.
/// </summary>
public sealed class TinyDisk : IDisposable
{
    private readonly string _folder;

    private TinyDisk(string folder)
    {
        _folder = folder;
    }

    /// <param name="folder">The folder to mount over (created; its content is hidden while mounted).</param>
    /// <param name="size">The tmpfs size, e.g. "4m".</param>
    /// <param name="keep">A file to copy onto the new disk first (so that it stays visible), or <see langword="null"/>.</param>
    /// <param name="headroom">The bytes left free after the filler.</param>
    public static TinyDisk Mount(string folder, string size, string? keep = null, long headroom = 256 * 1024)
    {
        var kept = keep is null ? null : File.ReadAllBytes(keep);
        Directory.CreateDirectory(folder);
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
        var disk = new TinyDisk(folder);
        if (keep is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
            File.WriteAllBytes(keep, kept!);
        }

        var free = new DriveInfo(folder).AvailableFreeSpace;
        File.WriteAllBytes(Path.Combine(folder, "filler"), new byte[Math.Max(0, free - headroom)]);
        return disk;
    }

    public void Dispose() => Run("umount", "-l", _folder);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr}");
        }
    }
}
