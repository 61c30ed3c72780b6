using System.Security.Cryptography;
using AzFuse;

// A child process for the multi-process tests, configured by the AZFUSE_* environment variables.
//
//   open LOGICAL_PATH [BARRIER_FILE]
//     Waits until BARRIER_FILE exists (so that several helpers start their Open together), opens
//     LOGICAL_PATH through AzFile, reads it to the end and prints "<length> <sha256>".
//   write-async COUNT FOLDER [SHM_FOLDER]
//     In an AsyncUpload scope (staging in SHM_FOLDER when given), writes COUNT files
//     FOLDER/<i>.txt with the text "content <i>", prints "written" once every stream is closed,
//     then waits to be killed without ever ending the scope.
//
// Exit 0 on success; 1 and the exception on stderr otherwise; 2 for bad arguments.
try
{
    switch (args)
    {
        case ["open", var path, .. var rest]:
            if (rest is [var barrier])
            {
                Console.WriteLine("waiting");
                while (!File.Exists(barrier))
                {
                    Thread.Sleep(1);
                }
            }

            using (var stream = AzFile.Open(path, FileMode.Open))
            {
                var hash = SHA256.HashData(stream);
                Console.WriteLine($"{stream.Length} {Convert.ToHexString(hash)}");
            }

            return 0;

        case ["write-async", var countText, var folder, .. var shm]:
            var options = AzFuseOptions.FromEnvironment();
            if (shm is [var shmFolder])
            {
                options.SharedMemoryFolder = shmFolder;
            }

            var client = new AzFuseClient(options);
            var scope = client.AsyncUpload(shmAsTmp: shm.Length > 0);
            for (var i = 0; i < int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture); i++)
            {
                client.WriteAllText($"{folder}/{i}.txt", $"content {i}");
            }

            Console.WriteLine("written");
            Thread.Sleep(Timeout.Infinite);
            GC.KeepAlive(scope);
            return 0;

        default:
            Console.Error.WriteLine("usage: AzFuse.TestHelper open LOGICAL_PATH [BARRIER_FILE] | write-async COUNT FOLDER [SHM_FOLDER]");
            return 2;
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex);
    return 1;
}
