using System.Runtime.InteropServices;

namespace AzFuse.Testing;

/// <summary>Sends POSIX signals to child processes (what a spot VM's eviction or a Ctrl+C does).</summary>
public static partial class Signals
{
    public const int Interrupt = 2;
    public const int Terminate = 15;

    public static void Send(int processId, int signal)
    {
        if (Kill(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
