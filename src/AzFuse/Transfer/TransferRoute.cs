namespace AzFuse.Transfer;

/// <summary>The ways a transfer can go, from cheapest to dearest fixed cost.</summary>
internal enum TransferRoute
{
    /// <summary>In-process HTTP: one GET or one Put Blob per file, several in flight (about 3 ms for a small file).</summary>
    Http,

    /// <summary>azcopy's pipe mode for one file (about 35 ms, then parallel block transfers).</summary>
    Pipe,

    /// <summary>One azcopy job with a list of files (about 2 s, whatever it moves).</summary>
    Job,
}
