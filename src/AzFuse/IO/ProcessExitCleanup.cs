namespace AzFuse.IO;

/// <summary>Something that removes its state files when the process exits cleanly.</summary>
internal interface IProcessExitCleanup
{
    /// <summary>Called once at a clean exit; must be quick, and must leave whatever is still needed.</summary>
    void CleanUpAtExit();
}

/// <summary>
/// Runs <see cref="IProcessExitCleanup.CleanUpAtExit"/> of every registered owner still alive when
/// the process exits cleanly (<see cref="AppDomain.ProcessExit"/>: the end of Main, or
/// <see cref="Environment.Exit"/>). A killed process cleans nothing; the next one to start prunes
/// what it left (see <see cref="ScratchFolder"/>). Owners are held weakly: a client that is no
/// longer used is not kept alive for its exit.
/// </summary>
internal static class ProcessExitCleanup
{
    private static readonly object s_gate = new();
    private static readonly List<WeakReference<IProcessExitCleanup>> s_owners = [];
    private static bool s_hooked;

    public static void Register(IProcessExitCleanup owner)
    {
        lock (s_gate)
        {
            s_owners.RemoveAll(w => !w.TryGetTarget(out _));
            s_owners.Add(new WeakReference<IProcessExitCleanup>(owner));
            if (!s_hooked)
            {
                s_hooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
            }
        }
    }

    private static void RunAll()
    {
        List<IProcessExitCleanup> owners;
        lock (s_gate)
        {
            owners = s_owners.Select(w => w.TryGetTarget(out var o) ? o : null).OfType<IProcessExitCleanup>().ToList();
            s_owners.Clear();
        }

        foreach (var owner in owners)
        {
            try
            {
                owner.CleanUpAtExit();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Left for the next process to prune; an exit must not fail for it.
            }
        }
    }
}
