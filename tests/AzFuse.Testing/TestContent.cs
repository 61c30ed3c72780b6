namespace AzFuse.Testing;

/// <summary>
/// Deterministic file contents that differ from file to file, so that a test (or a child process)
/// can check every byte it reads without keeping a copy.
/// </summary>
public static class TestContent
{
    /// <summary>The content of file <paramref name="index"/> of a set: 20 to 50 KB.</summary>
    public static byte[] ForFile(int index) => For(index, 20_000 + (index * 1009 % 30_000));

    /// <summary>The content of file <paramref name="index"/>: <paramref name="length"/> bytes that depend on both.</summary>
    public static byte[] For(int index, int length)
    {
        var bytes = new byte[length];
        new Random(index * 7919 + length).NextBytes(bytes);
        return bytes;
    }
}
