namespace AzFuse.Upload;

/// <summary>
/// Where an <see cref="AzFuseWriteStream"/>'s private file goes once the write ends: put in place and
/// uploaded (a mapped path, <see cref="WriteSession"/>), or renamed over a local file
/// (<see cref="Local.LocalWrite"/>, with AzFuse off or outside every mapping).
/// </summary>
internal interface IWriteTarget
{
    /// <summary>The path the application wrote, for messages.</summary>
    string LogicalPath { get; }

    /// <summary>The private file the stream writes.</summary>
    string TempPath { get; }

    /// <summary>Whether <see cref="TempPath"/> exists already, empty (a spare made ahead, see <see cref="SpareFiles"/>): opened, not created.</summary>
    bool TempPathExists => false;

    /// <summary>The folder whose disk holds the write (for a full disk's message).</summary>
    string Folder { get; }

    /// <summary>Puts the closed file in place (flushed to disk first where a record will point at it), and uploads or queues it.</summary>
    ValueTask CommitAsync(bool async, CancellationToken cancellationToken);

    /// <summary>Drops the private file; nothing else changes.</summary>
    void Discard();

    /// <summary>Whether the private file is in shared memory (<c>shmAsTmp</c>), which can fill up long before a disk.</summary>
    bool InSharedMemory => false;

    /// <summary>
    /// Moves a write whose shared memory is full to the cache folder's disk: its private file so far
    /// is copied there and deleted from shared memory, and the write goes on from <paramref name="position"/>.
    /// </summary>
    /// <returns>The stream over the new private file, and the target it now has.</returns>
    (FileStream Stream, IWriteTarget Target) MoveToDisk(FileStream inner, long position, bool async) =>
        throw new InvalidOperationException("Only a write staged in shared memory moves to disk.");
}
