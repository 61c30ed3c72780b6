using AzFuse.Diagnostics;

namespace AzFuse.Transfer;

/// <summary>
/// Finds the azcopy executable, in the Python tool's order: an explicit path
/// (<see cref="AzFuseOptions.AzCopyPath"/> or <c>AZFUSE_AZCOPY_PATH</c>), <c>~/code/azcopy/azcopy</c>,
/// every folder on <c>PATH</c>, then <c>/usr/bin/azcopy</c>. The answer is kept once found.
/// </summary>
internal sealed class AzCopyLocator
{
    private readonly string? _explicitPath;
    private readonly string? _home;
    private readonly string _pathVariable;
    private readonly string _systemPath;
    private readonly Lazy<string> _found;

    public AzCopyLocator(string? explicitPath)
        : this(explicitPath, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Environment.GetEnvironmentVariable("PATH"))
    {
    }

    /// <summary>Takes the home folder, PATH and system location as values so that tests do not depend on the machine.</summary>
    internal AzCopyLocator(string? explicitPath, string? home, string? pathVariable, string systemPath = "/usr/bin/azcopy")
    {
        _systemPath = systemPath;
        _explicitPath = string.IsNullOrWhiteSpace(explicitPath) ? null : explicitPath;
        _home = string.IsNullOrEmpty(home) ? null : home;
        _pathVariable = pathVariable ?? string.Empty;
        _found = new Lazy<string>(Find);
    }

    /// <summary>The full path of azcopy.</summary>
    /// <exception cref="AzCopyNotFoundException">No candidate exists.</exception>
    public string Locate() => _found.Value;

    internal IReadOnlyList<string> Candidates()
    {
        var candidates = new List<string>();
        if (_explicitPath is not null)
        {
            candidates.Add(Path.GetFullPath(_explicitPath));
        }

        if (_home is not null)
        {
            candidates.Add(Path.Combine(_home, "code", "azcopy", ExecutableName));
        }

        foreach (var folder in _pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(folder, ExecutableName));
        }

        candidates.Add(_systemPath);
        return candidates.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string ExecutableName => OperatingSystem.IsWindows() ? "azcopy.exe" : "azcopy";

    private string Find()
    {
        var candidates = Candidates();

        // An explicit path that does not exist is a mistake to report, not a hint to ignore.
        if (_explicitPath is not null && !File.Exists(candidates[0]))
        {
            throw Errors.AzCopyNotFound([candidates[0]], explicitPathMissing: true);
        }

        return candidates.FirstOrDefault(File.Exists) ?? throw Errors.AzCopyNotFound(candidates, explicitPathMissing: false);
    }
}
