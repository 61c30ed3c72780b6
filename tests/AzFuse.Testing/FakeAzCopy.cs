namespace AzFuse.Testing;

/// <summary>
/// A stand-in for azcopy, used only for failures the real one cannot produce on demand: a crash
/// mid-stream, a short write that still exits 0, a job that fails, a run held back until the test
/// releases it (which then execs the real azcopy). Everything else in the tests
/// runs the real azcopy.
/// </summary>
public static class FakeAzCopy
{
    /// <summary>Writes an executable shell script with <paramref name="body"/> and returns its path.</summary>
    public static string Create(string folder, string body)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "azcopy-fake");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
