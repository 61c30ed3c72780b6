namespace AzFuse;

/// <summary>A committed folder (<see cref="AzFuseClient.GetLatestCommit"/>): its manifest exists and its files match it.</summary>
public sealed class CommittedFolder
{
    /// <summary>Creates a description of a committed folder.</summary>
    /// <param name="folder">The folder's logical path.</param>
    /// <param name="committed">When its manifest was written.</param>
    /// <param name="worldSize">How many ranks wrote it.</param>
    /// <param name="files">Its files' logical paths.</param>
    /// <param name="bytes">Their total length.</param>
    public CommittedFolder(string folder, DateTimeOffset committed, int worldSize, IReadOnlyList<string> files, long bytes)
    {
        Folder = folder;
        Committed = committed;
        WorldSize = worldSize;
        Files = files;
        Bytes = bytes;
    }

    /// <summary>The folder's logical path, such as <c>ckpt/step-001000</c>.</summary>
    public string Folder { get; }

    /// <summary>When its manifest was written: after every file of every rank was confirmed.</summary>
    public DateTimeOffset Committed { get; }

    /// <summary>How many ranks wrote parts of it.</summary>
    public int WorldSize { get; }

    /// <summary>Its files, as logical paths that Open and Prepare take.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The total length of its files.</summary>
    public long Bytes { get; }
}
