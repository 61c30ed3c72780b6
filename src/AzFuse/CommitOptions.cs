using System.Globalization;

namespace AzFuse;

/// <summary>Who is committing a folder (<see cref="AzFuseClient.BeginCommit"/>), and what to keep.</summary>
public sealed class CommitOptions
{
    private int? _rank;
    private int? _worldSize;
    private int? _keepLast;

    /// <summary>
    /// This process's rank among those that write parts of the folder, from 0. Default: the launcher's
    /// (<c>RANK</c> from torchrun, <c>OMPI_COMM_WORLD_RANK</c>, <c>PMI_RANK</c>, <c>SLURM_PROCID</c>), else 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int? Rank
    {
        get => _rank;
        set => _rank = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Rank), value, "Rank must not be negative.");
    }

    /// <summary>
    /// How many ranks write parts of the folder; the folder is committed once all of them have.
    /// Default: the launcher's (<c>WORLD_SIZE</c>, <c>OMPI_COMM_WORLD_SIZE</c>, <c>PMI_SIZE</c>, <c>SLURM_NTASKS</c>), else 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 1.</exception>
    public int? WorldSize
    {
        get => _worldSize;
        set => _worldSize = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(WorldSize), value, "WorldSize must be at least 1.");
    }

    /// <summary>
    /// Once the folder is committed, delete all but the newest this many committed folders beside
    /// it (folders without a manifest are left alone). Default <see langword="null"/>: keep all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 1.</exception>
    public int? KeepLast
    {
        get => _keepLast;
        set => _keepLast = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(KeepLast), value, "KeepLast must be at least 1.");
    }

    /// <summary>
    /// What tells this attempt at the folder from an earlier one that died half-way, the same for
    /// every rank of an attempt: parts of other attempts are never combined with this one's. Set it
    /// when a restarted job can write the same folder again. Default: from the launcher
    /// (<c>TORCHELASTIC_RUN_ID</c> with <c>TORCHELASTIC_RESTART_COUNT</c>, or <c>SLURM_JOB_ID</c>
    /// with <c>SLURM_RESTART_COUNT</c>), else none.
    /// </summary>
    public string? AttemptId { get; set; }

    /// <summary>Stage the files in shared memory until uploaded, as <c>AsyncUpload(shmAsTmp: true)</c>. Default <see langword="false"/>.</summary>
    public bool ShmAsTmp { get; set; }

    internal (int Rank, int WorldSize) ResolveRanks()
    {
        var world = WorldSize ?? FromEnvironment("WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS") ?? 1;
        var rank = Rank ?? FromEnvironment("RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID") ?? 0;
        return rank < world ? (rank, world) : throw new ArgumentOutOfRangeException(nameof(Rank), rank, $"Rank {rank} is not below WorldSize {world}.");
    }

    internal string? ResolveAttempt() =>
        AttemptId
        ?? Joined("TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT")
        ?? Joined("SLURM_JOB_ID", "SLURM_RESTART_COUNT");

    private static string? Joined(string id, string restarts) =>
        Environment.GetEnvironmentVariable(id) is { Length: > 0 } value
            ? value + "/" + (Environment.GetEnvironmentVariable(restarts) ?? "0")
            : null;

    private static int? FromEnvironment(params string[] names)
    {
        foreach (var name in names)
        {
            if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
