using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Transfer;

/// <summary>
/// Picks the route of every transfer, from the file count and size: in-process HTTP where a
/// process's start-up would dominate, azcopy's pipe mode for a single file of at least
/// <see cref="AzFuseOptions.AzCopyMinFileSize"/> (none by default), one azcopy job
/// for a large batch. <see cref="AzFuseOptions.TransferEngine"/> can force azcopy or HTTP.
/// </summary>
/// <remarks>
/// The thresholds are options whose defaults were measured on loopback and through a link profile
/// (see the README): with parallel ranges and blocks the in-process engine beat azcopy's pipe mode
/// for single files of every size through the link (on loopback pipe mode won at 256 MiB), and
/// parallel HTTP beat one azcopy job for every batch measured, so by default only batches of
/// 10,000 files or more go to azcopy.
/// </remarks>
internal sealed class TransferPlanner
{
    private readonly AzFuseTransferEngine _engine;
    private readonly long _azCopyMinFileSize;
    private readonly int _azCopyMinBatchCount;
    private readonly AzCopyLocator _locator;
    private readonly ILogger _logger;
    private readonly Lazy<bool> _azCopyInstalled;

    public TransferPlanner(AzFuseOptions options, AzCopyLocator locator, ILogger logger)
    {
        _engine = options.TransferEngine;
        _azCopyMinFileSize = options.AzCopyMinFileSize;
        _azCopyMinBatchCount = options.AzCopyMinBatchCount;
        HttpParallelism = options.HttpParallelism;
        _locator = locator;
        _logger = logger;
        _azCopyInstalled = new Lazy<bool>(FindAzCopy);
    }

    /// <summary>How many HTTP transfers a batch runs at once.</summary>
    public int HttpParallelism { get; }

    /// <summary>The route of a single file of <paramref name="length"/> bytes.</summary>
    /// <remarks>HTTP has no size limit: an upload too large for one Put Blob goes as blocks.</remarks>
    /// <exception cref="AzCopyNotFoundException">azcopy is forced and missing.</exception>
    public TransferRoute ForFile(long length)
    {
        var route = _engine switch
        {
            AzFuseTransferEngine.Http => TransferRoute.Http,
            AzFuseTransferEngine.AzCopy => TransferRoute.Pipe,
            _ => length >= _azCopyMinFileSize && AzCopyInstalled ? TransferRoute.Pipe : TransferRoute.Http,
        };
        if (route != TransferRoute.Http)
        {
            _locator.Locate(); // throws the install hint
        }

        return route;
    }

    /// <summary>
    /// The route of a batch of <paramref name="count"/> files of one container: <see cref="TransferRoute.Job"/>
    /// for all of them together, or <see cref="TransferRoute.Http"/> meaning "file by file, each through <see cref="ForFile"/>".
    /// </summary>
    public TransferRoute ForBatch(int count)
    {
        var job = _engine switch
        {
            AzFuseTransferEngine.Http => false,
            AzFuseTransferEngine.AzCopy => count > 1,
            _ => count >= _azCopyMinBatchCount && AzCopyInstalled,
        };
        return job ? TransferRoute.Job : TransferRoute.Http;
    }

    /// <summary>Whether a single download should learn the blob's size from its GET before choosing (everything but forced azcopy).</summary>
    public bool StartsWithHttp => _engine != AzFuseTransferEngine.AzCopy;

    private bool AzCopyInstalled => _azCopyInstalled.Value;

    private bool FindAzCopy()
    {
        try
        {
            _locator.Locate();
            return true;
        }
        catch (AzCopyNotFoundException ex)
        {
            // Said once per client: HTTP serves everything it can, so this is not an error yet.
            Log.AzCopyMissing(_logger, ex.Message);
            return false;
        }
    }
}
