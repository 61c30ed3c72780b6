namespace AzFuse.Testing;

/// <summary>
/// A wrapper script around the real azcopy that appends one line per invocation (its
/// <c>--from-to</c> value) to a log, then execs azcopy with the same arguments. It changes
/// nothing azcopy does; it only lets a test count how often azcopy ran, across processes.
/// </summary>
public sealed class AzCopyCounter
{
    private readonly string _log;

    private AzCopyCounter(string scriptPath, string log)
    {
        ScriptPath = scriptPath;
        _log = log;
    }

    public string ScriptPath { get; }

    public static AzCopyCounter Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var script = Path.Combine(folder, "azcopy-counting");
        var log = Path.Combine(folder, "azcopy-invocations.log");
        File.WriteAllText(script,
            "#!/bin/sh\n" +
            "prev=''\n" +
            "for a in \"$@\"; do [ \"$prev\" = '--from-to' ] && echo \"$a\" >> '" + log + "' && echo \"$a by process $PPID at $(date +%T.%N)\" >> '" + log + ".who'; prev=\"$a\"; done\n" +
            "exec '" + RepositoryTools.AzCopy + "' \"$@\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new AzCopyCounter(script, log);
    }

    /// <summary>The <c>--from-to</c> value of every invocation so far, in order.</summary>
    public IReadOnlyList<string> Invocations => File.Exists(_log) ? File.ReadAllLines(_log) : [];

    /// <summary>Each invocation with the process that ran it and when: for the message of a test that counts them.</summary>
    public string Who => File.Exists(_log + ".who") ? string.Join("; ", File.ReadAllLines(_log + ".who")) : "no invocation";
}
