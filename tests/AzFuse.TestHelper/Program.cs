using System.Security.Cryptography;
using AzFuse;

// Usage: AzFuse.TestHelper open LOGICAL_PATH [BARRIER_FILE]
//   Waits until BARRIER_FILE exists (so that several helpers start their Open together), opens
//   LOGICAL_PATH through AzFile (configured by the AZFUSE_* environment variables), reads it to
//   the end and prints "<length> <sha256>" on stdout. Exit 0 on success; 1 and the exception on
//   stderr otherwise.
if (args.Length < 2 || args[0] != "open")
{
    Console.Error.WriteLine("usage: AzFuse.TestHelper open LOGICAL_PATH [BARRIER_FILE]");
    return 2;
}

if (args.Length > 2)
{
    Console.WriteLine("waiting");
    while (!File.Exists(args[2]))
    {
        Thread.Sleep(1);
    }
}

try
{
    using var stream = AzFile.Open(args[1], FileMode.Open);
    using var sha = SHA256.Create();
    var hash = sha.ComputeHash(stream);
    Console.WriteLine($"{stream.Length} {Convert.ToHexString(hash)}");
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex);
    return 1;
}
