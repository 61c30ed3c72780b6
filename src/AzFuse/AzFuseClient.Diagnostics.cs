using AzFuse.Diagnostics;

namespace AzFuse;

/// <content>Usage and live counters: what a run cost, and what other processes are doing.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// What this client asked of Blob Storage since it started: requests by the price list's
    /// transaction classes (read, write, list, other) and bytes each way, azcopy's transfers
    /// included, to estimate what a run cost. All zero when AzFuse is disabled.
    /// </summary>
    /// <returns>The numbers so far.</returns>
    public AzFuseUsage GetUsage() =>
        _options.Enabled && _engine.IsValueCreated ? _engine.Value.Blobs.Clients.Usage.Snapshot() : new AzFuseUsage();

    /// <summary>
    /// The live counters of every AzFuse client in the running processes of this user on this
    /// machine, as each last published them in <see cref="AzFuseOptions.StatsFolder"/> (every 2
    /// seconds while they change). What <c>azfuse stats</c> shows; this process's own clients are
    /// included once they have done something.
    /// </summary>
    /// <returns>One entry per client, by process id.</returns>
    public IReadOnlyList<ProcessStats> GetLiveStats()
    {
        if (_options.Enabled && _engine.IsValueCreated)
        {
            _engine.Value.StatsFile?.Publish(); // this process's own numbers as of now
        }

        return StatsFiles.Read(_options.StatsFolder);
    }
}
