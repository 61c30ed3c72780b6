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
//   hold LOGICAL_PATH...
//     Opens every path through AzFile and keeps them open; prints "held", then, when a line
//     arrives on stdin, reads each stream from the start and prints "<path> <sha256>", and exits.
//   churn OPENS FOLDER FILES SEED
//     Opens OPENS times a random file FOLDER/<i>.bin (i below FILES) through AzFile and checks
//     every byte against TestContent.ForFile(i); prints "ok <opens> <evictions>".
//   fill-rounds ROUNDS FOLDER FILES [UNTIL_FILE]
//     ROUNDS times (and then on until UNTIL_FILE exists, when given), opens every FOLDER/<i>.bin
//     (i below FILES) through AzFile and checks every byte against TestContent.ForFile(i). Prints
//     "download <start|end> <timestamp> <path>" for each download this process made (the
//     library's events 40 and 3, which it logs while it holds the file's fill lock; Stopwatch
//     timestamps share one monotonic clock across processes), then "ok".
//   clear-rounds ROUNDS FOLDER [FIRST_PATH DONE_FILE]
//     Waits until FIRST_PATH is cached (when given: so that the clears meet fills however late
//     this process started), then ROUNDS times clears FOLDER from the cache, 20 ms apart; creates
//     DONE_FILE and prints "ok".
//   prepare FOLDER FROM TO [BARRIER_FILE]
//     Waits until BARRIER_FILE exists, prepares FOLDER/<i>.bin for FROM <= i < TO through AzFile,
//     then checks every byte of each cache file against TestContent.ForFile(i); prints "ok".
//   queue COUNT FOLDER DEADLINE_MS
//     With ShutdownUploadDeadline = DEADLINE_MS and every log event on stderr, writes COUNT files
//     FOLDER/<i>.txt ("content <i>") in an AsyncUpload scope that never ends, prints "written",
//     and waits to be told to stop (a signal).
//   checkpoint FOLDER RANK WORLD_SIZE FILES
//     As rank RANK of WORLD_SIZE, in BeginCommit(FOLDER), writes FILES files
//     FOLDER/rank<RANK>-<i>.bin with TestContent.ForFile(RANK * 1000 + i) and prints "written";
//     when a line arrives on stdin, completes the commit and prints "committed" or "part" (its
//     part is in, others are still to come). Log events go to stderr.
//   sleep
//     Prints "sleeping" and waits to be told to stop: the exit code a signal gives a process.
//   write LOGICAL_PATH TEXT
//     Writes TEXT to LOGICAL_PATH through AzFile and exits normally.
//   write-file LOGICAL_PATH SOURCE_FILE
//     Writes the bytes of SOURCE_FILE to LOGICAL_PATH through AzFile (uploaded before it returns).
//   stream LOGICAL_PATH BARRIER_FILE OFFSET...
//     Waits until BARRIER_FILE exists, opens LOGICAL_PATH with OpenOptions.Streaming, reads the whole
//     stream from the start, then 4 KB at each OFFSET; prints "<length> <sha256>" and, per offset,
//     "<offset> <sha256 of the bytes read>".
//   lease LOGICAL_PATH
//     Acquires a lease on LOGICAL_PATH's blob (15 s, renewed in the background), prints "leased",
//     then, when a line arrives on stdin, releases it, prints "released" and exits.
//
// AZFUSE_TEST_CHUNK_SIZE (bytes), when set, configures AzFile.Default's ChunkSize, and
// AZFUSE_TEST_CHUNKS_IN_FLIGHT its ChunksInFlight: the library reads neither from the environment.
// AZFUSE_TEST_LOG_TO_STDERR=1 sends AzFile.Default's log events to stderr (a test that counts azcopy
// runs across processes tells a retried run from a second download by them).
//
// Exit 0 on success; 1 and the exception on stderr otherwise; 2 for bad arguments.
try
{
    var log = Environment.GetEnvironmentVariable("AZFUSE_TEST_LOG_TO_STDERR") == "1" ? new StderrLog() : null;
    if (Environment.GetEnvironmentVariable("AZFUSE_TEST_CHUNK_SIZE") is { Length: > 0 } chunkSize)
    {
        var chunked = AzFuseOptions.FromEnvironment();
        chunked.ChunkSize = long.Parse(chunkSize, System.Globalization.CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("AZFUSE_TEST_CHUNKS_IN_FLIGHT") is { Length: > 0 } inFlight)
        {
            chunked.ChunksInFlight = int.Parse(inFlight, System.Globalization.CultureInfo.InvariantCulture);
        }

        AzFile.Default = new AzFuseClient(chunked, log);
    }
    else if (log is not null)
    {
        AzFile.UseLoggerFactory(log);
    }

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

        case ["lease", var leasedPath]:
            using (AzFile.AcquireLease(leasedPath, TimeSpan.FromSeconds(15)))
            {
                Console.WriteLine("leased");
                Console.ReadLine();
            }

            Console.WriteLine("released");
            return 0;

        case ["hold", .. var paths]:
            var held = paths.Select(p => (Path: p, Stream: AzFile.Open(p, FileMode.Open))).ToList();
            Console.WriteLine("held");
            Console.ReadLine();
            foreach (var (heldPath, stream) in held)
            {
                stream.Position = 0;
                Console.WriteLine($"{heldPath} {Convert.ToHexString(SHA256.HashData(stream))}");
                stream.Dispose();
            }

            return 0;

        case ["churn", var opensText, var folder, var filesText, var seedText]:
            var random = new Random(int.Parse(seedText, System.Globalization.CultureInfo.InvariantCulture));
            var opens = int.Parse(opensText, System.Globalization.CultureInfo.InvariantCulture);
            var files = int.Parse(filesText, System.Globalization.CultureInfo.InvariantCulture);
            for (var n = 0; n < opens; n++)
            {
                var i = random.Next(files);
                var read = AzFile.ReadAllBytes($"{folder}/{i}.bin");
                if (!read.AsSpan().SequenceEqual(AzFuse.Testing.TestContent.ForFile(i)))
                {
                    Console.Error.WriteLine($"{folder}/{i}.bin: {read.Length} bytes read do not match the blob's content");
                    return 1;
                }
            }

            Console.WriteLine($"ok {opens} {AzFile.GetCacheStats().Evictions}");
            return 0;

        case ["prepare", var folder, var fromText, var toText, .. var barrierArg]:
            if (barrierArg is [var prepareBarrier])
            {
                Console.WriteLine("waiting");
                while (!File.Exists(prepareBarrier))
                {
                    Thread.Sleep(1);
                }
            }

            var range = Enumerable.Range(int.Parse(fromText, System.Globalization.CultureInfo.InvariantCulture), int.Parse(toText, System.Globalization.CultureInfo.InvariantCulture) - int.Parse(fromText, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            AzFile.Prepare(range.Select(i => $"{folder}/{i}.bin"));
            foreach (var i in range)
            {
                // Cached now: these Opens are hits, so they check what Prepare left in the cache.
                if (!AzFile.ReadAllBytes($"{folder}/{i}.bin").AsSpan().SequenceEqual(AzFuse.Testing.TestContent.ForFile(i)))
                {
                    Console.Error.WriteLine($"{folder}/{i}.bin does not hold the blob's bytes");
                    return 1;
                }
            }

            Console.WriteLine("ok");
            return 0;

        case ["queue", var queueCount, var queueFolder, var deadlineText]:
            var queueOptions = AzFuseOptions.FromEnvironment();
            queueOptions.ShutdownUploadDeadline = TimeSpan.FromMilliseconds(int.Parse(deadlineText, System.Globalization.CultureInfo.InvariantCulture));
            var queueClient = new AzFuseClient(queueOptions, new StderrLog());
            var queueScope = queueClient.AsyncUpload();
            for (var i = 0; i < int.Parse(queueCount, System.Globalization.CultureInfo.InvariantCulture); i++)
            {
                queueClient.WriteAllText($"{queueFolder}/{i}.txt", $"content {i}");
            }

            Console.WriteLine("written");
            Thread.Sleep(Timeout.Infinite);
            GC.KeepAlive(queueScope);
            return 0;

        case ["checkpoint", var checkpointFolder, var rankText, var worldText, var filesText]:
            var rank = int.Parse(rankText, System.Globalization.CultureInfo.InvariantCulture);
            var checkpointClient = new AzFuseClient(AzFuseOptions.FromEnvironment(), new StderrLog());
            using (var commit = checkpointClient.BeginCommit(checkpointFolder, new CommitOptions { Rank = rank, WorldSize = int.Parse(worldText, System.Globalization.CultureInfo.InvariantCulture) }))
            {
                for (var i = 0; i < int.Parse(filesText, System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    checkpointClient.WriteAllBytes($"{checkpointFolder}/rank{rank}-{i}.bin", AzFuse.Testing.TestContent.ForFile((rank * 1000) + i));
                }

                Console.WriteLine("written");
                _ = Console.ReadLine();
                Console.WriteLine(commit.Complete() ? "committed" : "part");
            }

            return 0;

        case ["sleep"]:
            Console.WriteLine("sleeping");
            Thread.Sleep(Timeout.Infinite);
            return 0;

        case ["fill-rounds", var roundsText, var folder, var filesText, .. var until]:
            AzFile.UseLoggerFactory(new DownloadEventPrinter());
            for (var round = 0; round < int.Parse(roundsText, System.Globalization.CultureInfo.InvariantCulture) || (until is [var untilFile] && !File.Exists(untilFile)); round++)
            {
                for (var i = 0; i < int.Parse(filesText, System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    var read = AzFile.ReadAllBytes($"{folder}/{i}.bin");
                    if (!read.AsSpan().SequenceEqual(AzFuse.Testing.TestContent.ForFile(i)))
                    {
                        Console.Error.WriteLine($"{folder}/{i}.bin: {read.Length} bytes read do not match the blob's content");
                        return 1;
                    }
                }
            }

            Console.WriteLine("ok");
            return 0;

        case ["clear-rounds", var roundsText, var folder, .. var handshake]:
            while (handshake is [var firstPath, _] && !AzFile.IsCached(firstPath))
            {
                Thread.Sleep(1);
            }

            for (var round = 0; round < int.Parse(roundsText, System.Globalization.CultureInfo.InvariantCulture); round++)
            {
                AzFile.ClearCache(folder);
                Thread.Sleep(20);
            }

            if (handshake is [_, var doneFile])
            {
                File.WriteAllText(doneFile, "done");
            }

            Console.WriteLine("ok");
            return 0;

        case ["write", var path, var text]:
            AzFile.WriteAllText(path, text);
            return 0;

        case ["write-file", var path, var source]:
            AzFile.WriteAllBytes(path, File.ReadAllBytes(source));
            return 0;

        case ["stream", var path, var streamBarrier, .. var offsets]:
            while (!File.Exists(streamBarrier))
            {
                Thread.Sleep(1);
            }

            using (var stream = AzFile.Open(path, FileMode.Open, new OpenOptions { Streaming = true }))
            {
                Console.WriteLine($"{stream.Length} {Convert.ToHexString(SHA256.HashData(stream))}");
                var piece = new byte[4096];
                foreach (var offset in offsets.Select(o => long.Parse(o, System.Globalization.CultureInfo.InvariantCulture)))
                {
                    stream.Position = offset;
                    var read = stream.ReadAtLeast(piece, piece.Length, throwOnEndOfStream: false);
                    Console.WriteLine($"{offset} {Convert.ToHexString(SHA256.HashData(piece.AsSpan(0, read)))}");
                }
            }

            return 0;

        default:
            Console.Error.WriteLine("usage: AzFuse.TestHelper open LOGICAL_PATH [BARRIER_FILE] | write-async COUNT FOLDER [SHM_FOLDER] | hold LOGICAL_PATH... | churn OPENS FOLDER FILES SEED | fill-rounds ROUNDS FOLDER FILES [UNTIL_FILE] | clear-rounds ROUNDS FOLDER [FIRST_PATH DONE_FILE] | prepare FOLDER FROM TO [BARRIER_FILE] | queue COUNT FOLDER DEADLINE_MS | checkpoint FOLDER RANK WORLD_SIZE FILES | sleep | lease LOGICAL_PATH | write LOGICAL_PATH TEXT | write-file LOGICAL_PATH SOURCE_FILE | stream LOGICAL_PATH BARRIER_FILE OFFSET...");
            return 2;
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex);
    return 1;
}
