using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// The same transfers without the library: a bare HttpClient GET or PUT, curl, and the real azcopy
/// run directly as one job. Each throws when the transfer did not happen.
/// </summary>
internal sealed class Baselines
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(10) };
    private readonly Workbench _bench;

    public Baselines(Workbench bench) => _bench = bench;

    /// <summary>One GET of the blob with a plain HttpClient, body read into memory.</summary>
    public static long BareGet(Uri signedBlobUrl) =>
        s_http.GetByteArrayAsync(signedBlobUrl).GetAwaiter().GetResult().LongLength;

    /// <summary>
    /// GETs of every URL with a plain HttpClient, <paramref name="inFlight"/> at a time, each body
    /// written to its own file in <paramref name="folder"/>: what a Prepare does, without a cache.
    /// </summary>
    /// <returns>How many files were written.</returns>
    public static int BareGetMany(IReadOnlyList<Uri> signedBlobUrls, string folder, int inFlight)
    {
        Parallel.ForEachAsync(
            signedBlobUrls.Select((url, i) => (url, i)),
            new ParallelOptions { MaxDegreeOfParallelism = inFlight },
            async (item, ct) =>
            {
                var bytes = await s_http.GetByteArrayAsync(item.url, ct);
                await File.WriteAllBytesAsync(Path.Combine(folder, item.i.ToString(System.Globalization.CultureInfo.InvariantCulture)), bytes, ct);
            }).GetAwaiter().GetResult();
        return Directory.EnumerateFiles(folder).Count();
    }

    /// <summary>
    /// One Put Blob of <paramref name="content"/> with a plain HttpClient, sent synchronously
    /// (<see cref="HttpClient.Send(HttpRequestMessage)"/>): no Content-MD5 is sent, the service computes its own.
    /// </summary>
    public static void BarePut(Uri signedWriteUrl, byte[] content)
    {
        using var request = PutBlob(signedWriteUrl, content);
        using var response = s_http.Send(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>One Put Blob of <paramref name="content"/> to each URL with a plain HttpClient, <paramref name="inFlight"/> at a time.</summary>
    /// <returns>How many blobs were written.</returns>
    public static int BarePutMany(IReadOnlyList<Uri> signedWriteUrls, byte[] content, int inFlight)
    {
        var written = 0;
        Parallel.ForEachAsync(
            signedWriteUrls,
            new ParallelOptions { MaxDegreeOfParallelism = inFlight },
            async (url, ct) =>
            {
                using var request = PutBlob(url, content);
                using var response = await s_http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref written);
            }).GetAwaiter().GetResult();
        return written;
    }

    private static HttpRequestMessage PutBlob(Uri signedWriteUrl, byte[] content)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, signedWriteUrl) { Content = new ByteArrayContent(content) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        return request;
    }

    /// <summary>The blob's length by a HEAD, or -1 when it does not exist.</summary>
    public long RemoteLength(string relative)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, _bench.SignedBlobUrl(relative));
        using var response = s_http.Send(request);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? -1 : response.EnsureSuccessStatusCode().Content.Headers.ContentLength ?? -1;
    }

    private Dictionary<string, string> AzCopyEnvironment()
    {
        var work = _bench.NewScratchFolder();
        return new Dictionary<string, string>
        {
            ["AZCOPY_JOB_PLAN_LOCATION"] = Path.Combine(work, "plans"),
            ["AZCOPY_LOG_LOCATION"] = Path.Combine(work, "logs"),
        };
    }

    /// <summary><c>curl -s -f -o FILE URL?SAS</c>; returns the file's length.</summary>
    public static long Curl(Uri signedBlobUrl, string file)
    {
        ChildProcess.Run("curl", ["-s", "-f", "-o", file, signedBlobUrl.AbsoluteUri]);
        return new FileInfo(file).Length;
    }

    /// <summary>
    /// The real azcopy, run directly as one job over <paramref name="relatives"/> into
    /// <paramref name="destination"/>, with the command line the library's own job uses (less the
    /// flags whose values are azcopy's defaults). Returns how many files arrived.
    /// </summary>
    public int AzCopyJob(IReadOnlyList<string> relatives, string destination)
    {
        var work = _bench.NewScratchFolder();
        var listOfFiles = Path.Combine(work, "list-of-files.txt");
        File.WriteAllLines(listOfFiles, relatives.Select(Workbench.BlobName));
        ChildProcess.Run(RepositoryTools.AzCopy,
        [
            "copy", _bench.SignedContainerUrl.AbsoluteUri, destination,
            "--from-to", "BlobLocal",
            "--list-of-files", listOfFiles,
            "--as-subdir=false",
            "--overwrite", "true",
            "--output-type", "json",
            "--log-level", "WARNING",
            "--skip-version-check",
        ],
        new Dictionary<string, string>
        {
            ["AZCOPY_JOB_PLAN_LOCATION"] = Path.Combine(work, "plans"),
            ["AZCOPY_LOG_LOCATION"] = Path.Combine(work, "logs"),
        });
        return Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).Count();
    }

    /// <summary>One GET of <paramref name="count"/> bytes at <paramref name="offset"/> with a plain HttpClient (a Range header); returns the bytes received.</summary>
    public static long BareRangedGet(Uri signedBlobUrl, long offset, int count)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, signedBlobUrl);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, offset + count - 1);
        using var response = s_http.Send(request);
        return response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync().GetAwaiter().GetResult().LongLength;
    }

    /// <summary>The real azcopy, run directly, downloading one blob to <paramref name="file"/> as a job (<c>--from-to BlobLocal</c>, MD5 checked: azcopy's default).</summary>
    public long AzCopyDownload(Uri signedBlobUrl, string file)
    {
        ChildProcess.Run(RepositoryTools.AzCopy, ["copy", signedBlobUrl.AbsoluteUri, file, "--from-to", "BlobLocal", "--overwrite", "true", "--output-type", "json", "--log-level", "WARNING", "--skip-version-check"], AzCopyEnvironment());
        return new FileInfo(file).Length;
    }

    /// <summary>The real azcopy in pipe mode (<c>--from-to BlobPipe</c>, no job and no 2 s completion poll), its stdout written to <paramref name="file"/>.</summary>
    public long AzCopyPipeDownload(Uri signedBlobUrl, string file)
    {
        ChildProcess.Run(RepositoryTools.AzCopy, ["copy", signedBlobUrl.AbsoluteUri, "--from-to", "BlobPipe", "--log-level", "WARNING", "--skip-version-check"], AzCopyEnvironment(), stdinFrom: null, stdoutTo: file);
        return new FileInfo(file).Length;
    }

    /// <summary>The real azcopy uploading <paramref name="file"/> as a job, storing its MD5 (<c>--put-md5</c>, as the library does).</summary>
    public void AzCopyUpload(string file, Uri signedBlobUrl) =>
        ChildProcess.Run(RepositoryTools.AzCopy, ["copy", file, signedBlobUrl.AbsoluteUri, "--from-to", "LocalBlob", "--overwrite", "true", "--put-md5", "--output-type", "json", "--log-level", "WARNING", "--skip-version-check"], AzCopyEnvironment());

    /// <summary>The real azcopy uploading <paramref name="file"/> in pipe mode (<c>--from-to PipeBlob</c>, stdin), asked to store the MD5.</summary>
    public void AzCopyPipeUpload(string file, Uri signedBlobUrl) =>
        ChildProcess.Run(RepositoryTools.AzCopy, ["copy", signedBlobUrl.AbsoluteUri, "--from-to", "PipeBlob", "--put-md5", "--log-level", "WARNING", "--skip-version-check"], AzCopyEnvironment(), stdinFrom: file, stdoutTo: null);

    /// <summary>Deletes a folder a baseline filled (untimed, between runs).</summary>
    public static void Remove(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }
}
