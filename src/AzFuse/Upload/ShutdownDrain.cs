using System.Runtime.InteropServices;
using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Pushes the uploads still queued when the process is told to stop (SIGTERM, as a spot VM's
/// eviction sends 30 s before the kill; SIGINT) or ends normally, within
/// <see cref="AzFuseOptions.ShutdownUploadDeadline"/>: on a rented machine a later resume never
/// comes, because the disk goes with the machine. What cannot be pushed in time is logged by name
/// and stays recorded. The signal is not consumed: once the drain returns, the process ends as it
/// would have, with the same exit code.
/// </summary>
/// <remarks>
/// Registered when the first upload is queued for the background uploader, once per client.
/// .NET ends a process on SIGTERM without raising ProcessExit (measured: exit code 143, no
/// ProcessExit), so the signal has its own handler; the handler blocks the runtime's default action
/// until the drain returns.
/// </remarks>
internal sealed class ShutdownDrain
{
    private readonly Uploader _uploader;
    private readonly TimeSpan _deadline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _registered;
    private int _drained;

    public ShutdownDrain(Uploader uploader, TimeSpan deadline, TimeProvider time, ILogger logger)
    {
        _uploader = uploader;
        _deadline = deadline;
        _time = time;
        _logger = logger;
    }

    public void EnsureRegistered()
    {
        if (_deadline == TimeSpan.Zero || Interlocked.Exchange(ref _registered, 1) != 0)
        {
            return;
        }

        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            try
            {
                _signals.Add(PosixSignalRegistration.Create(signal, context => Drain(context.Signal.ToString())));
            }
            catch (PlatformNotSupportedException)
            {
                // This platform cannot tell; process exit still drains.
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Drain("process exit");
    }

    private void Drain(string reason)
    {
        if (!_uploader.HasPending || Interlocked.Exchange(ref _drained, 1) != 0)
        {
            return;
        }

        try
        {
            var started = _time.GetTimestamp();
            Log.ShutdownDraining(_logger, reason, _deadline);
            var result = _uploader.FlushAsync(_deadline, stopAfterDeadline: true, async: false, CancellationToken.None).EnsureCompleted();
            foreach (var path in result.NotUploaded)
            {
                Log.NotUploadedAtShutdown(_logger, path);
            }

            Log.ShutdownDrained(_logger, result.Uploaded, result.NotUploaded.Count, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            // Never in the way of the process ending: what was not uploaded stays recorded.
            Log.UploadLoopFailed(_logger, ex);
        }
    }
}
