using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AzFuse.IO;

namespace AzFuse.Diagnostics;

/// <summary>
/// The cross-process view behind <c>azfuse stats</c>: each client publishes its counters in a
/// small JSON file, <c>&lt;pid&gt;-&lt;n&gt;.json</c> in <see cref="AzFuseOptions.StatsFolder"/>,
/// rewritten every <see cref="Interval"/> while they change and deleted when the process exits or
/// the client is collected; a reader lists the files of processes that are alive.
/// </summary>
/// <remarks>
/// Why files and not EventPipe (as dotnet-counters reads a Meter): an EventPipe session attaches
/// to one process at a time through its diagnostic socket, needs the TraceEvent parser (a large
/// dependency for a CLI) and only sees processes of the same user that allow diagnostics
/// (<c>DOTNET_EnableDiagnostics=0</c> is common in containers); a file costs a write every two
/// seconds at most and a directory listing to read. The folder is one per user, outside the cache
/// folders (which AzFuse leaves empty of its own files when idle), so that every process of the
/// user is seen whatever mapping file it uses. dotnet-counters still sees the Meter of any one
/// process directly.
/// </remarks>
internal sealed class StatsFiles : IProcessExitCleanup
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private static int s_clients;

    private readonly string _path;
    private readonly Func<ProcessStats> _snapshot;
    private readonly object _gate = new();
    private string? _written;
    private bool _closed;

    private StatsFiles(string folder, Func<ProcessStats> snapshot)
    {
        _path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Interlocked.Increment(ref s_clients)}.json"));
        _snapshot = snapshot;
    }

    /// <summary>Starts publishing <paramref name="snapshot"/> (the timer holds it weakly); null when <paramref name="folder"/> is null.</summary>
    public static StatsFiles? Start(string? folder, Func<ProcessStats> snapshot, TimeProvider time)
    {
        if (folder is null)
        {
            return null;
        }

        var files = new StatsFiles(Path.GetFullPath(folder), snapshot);
        ProcessExitCleanup.Register(files);

        // The timer holds the publisher weakly: a client nobody uses any more is collected, and its
        // file goes with it at the next tick.
        var weak = new WeakReference<StatsFiles>(files);
        var path = files._path;
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                if (weak.TryGetTarget(out var live))
                {
                    live.Publish();
                }
                else
                {
                    timer?.Dispose();
                    DeleteQuietly(path);
                }
            },
            null,
            Interval,
            Interval);
        return files;
    }

    /// <summary>Writes the counters if they changed since the last write (and once something happened at all).</summary>
    public void Publish()
    {
        var stats = _snapshot();
        if (stats.Hits + stats.Misses + stats.PendingUploads + stats.Usage.TotalRequests + stats.Usage.BytesDownloaded + stats.Usage.BytesUploaded == 0)
        {
            return;
        }

        var json = JsonSerializer.Serialize(new Record(s_self.Started, stats));
        lock (_gate)
        {
            if (_closed || json == _written)
            {
                return;
            }

            try
            {
                // Private to the user: other users' tools have no business reading a job's numbers.
                var folder = Path.GetDirectoryName(_path)!;
                _ = OperatingSystem.IsWindows() ? Directory.CreateDirectory(folder) : Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                var temporary = _path + ".tmp";
                File.WriteAllText(temporary, json);
                File.Move(temporary, _path, overwrite: true); // a reader sees the old file or the new one, never half
                _written = json;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Monitoring only: a folder that cannot be written costs the view, never the work.
            }
        }
    }

    public void CleanUpAtExit()
    {
        lock (_gate)
        {
            _closed = true;
            DeleteQuietly(_path);
        }
    }

    /// <summary>The counters of every live process's clients in <paramref name="folder"/>; files of processes that are gone are deleted.</summary>
    public static IReadOnlyList<ProcessStats> Read(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        var stats = new List<ProcessStats>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            Record? record;
            try
            {
                record = JsonSerializer.Deserialize<Record>(File.ReadAllText(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                continue; // deleted meanwhile, or not ours
            }

            if (record?.Stats is null)
            {
                continue;
            }

            if (!IsAlive(record.Stats.ProcessId, record.Started))
            {
                DeleteQuietly(file);
                continue;
            }

            stats.Add(record.Stats);
        }

        return stats.OrderBy(s => s.ProcessId).ThenBy(s => s.UpdatedAt).ToList();
    }

    private static bool IsAlive(int pid, DateTimeOffset started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // A recycled id belongs to a process started after the one that wrote the file.
            return !process.HasExited && process.StartTime.ToUniversalTime() <= started.UtcDateTime.AddSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    // A file left behind goes with the next reader, which deletes files of processes that are gone.
    private static void DeleteQuietly(string path) => FileCleanup.DeleteQuietly(path);

    // Who this process is, read once: the name to show and the start time that tells it from a later process with its id.
    private static readonly (string Name, DateTimeOffset Started) s_self = ReadSelf();

    /// <summary>This process's name, as the files show it.</summary>
    public static string ProcessName => s_self.Name;

    private static (string Name, DateTimeOffset Started) ReadSelf()
    {
        using var self = Process.GetCurrentProcess();
        return (self.ProcessName, self.StartTime.ToUniversalTime());
    }

    /// <summary>The file's content: the numbers, and when the process started (to tell it from a later process with its id).</summary>
    private sealed record Record(DateTimeOffset Started, ProcessStats Stats);
}
