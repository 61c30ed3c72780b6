using System.Globalization;
using System.Text;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The ranges of a parallel download that are on disk, recorded beside its partial file so that a
/// download killed midway (kill -9, power loss) resumes with only the missing ranges. Text, one line
/// each, only ever appended:
/// <code>
/// azfuse-ranges 1 "0x8DC1A2B3C4D5E6F" 1073741824 4194304 8388608 9E107D9D372BB6826BD81D3542A419D6
/// 0 7E97466930E1DF073CDF5B96B77A2559
/// 5 -
/// </code>
/// The header names the blob's version (ETag), length, range layout (first range, then range size)
/// and stored MD5 (<c>-</c> for none); each further line a range that was written, with the MD5 the
/// service sent for it (<c>-</c> when it sent none). A line without its newline was cut short by a
/// crash and is ignored.
/// </summary>
/// <remarks>
/// Nothing trusts the record blindly, so it is never fsync'd: a resumed file is verified as a whole
/// against the blob's MD5, and where the blob has none, each recorded range is read back and checked
/// against its recorded MD5 before it counts. A line that reached the disk before its data (a power
/// loss) therefore costs a range fetched again, never a wrong byte. Only the holder of the cache
/// file's fill lock writes it (others may read it, to watch a download's progress).
/// </remarks>
internal sealed class RangeRecord : IDisposable
{
    private const string Magic = "azfuse-ranges 1";

    private readonly FileStream _file;

    private RangeRecord(FileStream file, Dictionary<int, byte[]?> done)
    {
        _file = file;
        Done = done;
    }

    /// <summary>The ranges recorded as written, with the MD5 the service sent for each (or <see langword="null"/>).</summary>
    public IReadOnlyDictionary<int, byte[]?> Done { get; }

    /// <summary>Starts a record for a download of <paramref name="blob"/> cut as <paramref name="layout"/>, replacing any at <paramref name="path"/>.</summary>
    public static RangeRecord Create(string path, BlobProperties blob, RangeLayout layout)
    {
        // A new file (O_EXCL): a link planted at the name is removed, never written through.
        File.Delete(path);
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        file.Write(Encoding.ASCII.GetBytes(Header(blob, layout) + "\n"));
        return new RangeRecord(file, []);
    }

    /// <summary>
    /// The record a killed download of the same version of the blob, cut the same way, left at
    /// <paramref name="path"/>; <see langword="null"/> when there is none, or it is for another
    /// version, length or layout (or cannot be read).
    /// </summary>
    public static RangeRecord? TryResume(string path, BlobProperties blob, RangeLayout layout)
    {
        if (blob.ETag is null || NativeFiles.StatusOf(path) is not { Kind: FileKind.File })
        {
            return null;
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            var text = new StreamReader(file, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true).ReadToEnd();
            var end = text.LastIndexOf('\n');
            var lines = end < 0 ? [] : text[..end].Split('\n');
            if (lines.Length == 0 || lines[0] != Header(blob, layout))
            {
                file.Dispose();
                return null;
            }

            var done = new Dictionary<int, byte[]?>();
            foreach (var line in lines.Skip(1))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < layout.Count)
                {
                    done[index] = parts[1] == "-" ? null : Convert.FromHexString(parts[1]);
                }
            }

            // Append after the last whole line: a torn one is overwritten.
            file.SetLength(end + 1);
            file.Position = end + 1;
            return new RangeRecord(file, done);
        }
        catch (FormatException)
        {
            file.Dispose();
            return null;
        }
    }

    /// <summary>Records that range <paramref name="index"/> is written. Thread-safe.</summary>
    public void Add(int index, byte[]? md5)
    {
        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{index} {(md5 is null ? "-" : Convert.ToHexString(md5))}\n"));
        lock (_file)
        {
            _file.Write(line);
        }
    }

    /// <summary>Removes the record at <paramref name="path"/> (the download completed, or starts over).</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale record names another version, length or layout, and is never used.
        }
    }

    public void Dispose() => _file.Dispose();

    private static string Header(BlobProperties blob, RangeLayout layout) =>
        string.Create(CultureInfo.InvariantCulture, $"{Magic} {blob.ETag ?? "-"} {blob.Length} {layout.First} {layout.Size} {(blob.ContentMd5 is null ? "-" : Convert.ToHexString(blob.ContentMd5))}");
}
