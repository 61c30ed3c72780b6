using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>The shared-memory staging folder is private: made with mode 0700 by its owner, and refused when it is anything else.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StagingFolderTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task The_staging_folder_is_created_private_to_its_owner()
    {
        var (client, userFolder, _) = Setup();

        await WriteInScopeAsync(client, "data/fresh.txt", "staged");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(userFolder));
        Assert.Equal("staged", await Sandbox.DownloadTextAsync("fresh.txt"));
    }

    [Fact]
    public async Task A_pre_planted_symlinked_staging_folder_is_refused_and_nothing_goes_through_it()
    {
        var (client, userFolder, logs) = Setup();
        var elsewhere = Path.Combine(Sandbox.Root, "someone-elses");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(userFolder, elsewhere);

        await WriteInScopeAsync(client, "data/linked.txt", "secret");

        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere, "*", SearchOption.AllDirectories));
        Assert.Equal("secret", await Sandbox.DownloadTextAsync("linked.txt"));
        Assert.Contains(logs.Lines, l => l.Contains("[42]", StringComparison.Ordinal) && l.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pre_planted_world_writable_staging_folder_is_refused()
    {
        var (client, userFolder, logs) = Setup();
        Directory.CreateDirectory(userFolder);
        File.SetUnixFileMode(userFolder, (UnixFileMode)0b111_111_111);

        await WriteInScopeAsync(client, "data/open.txt", "secret");

        Assert.Empty(Directory.EnumerateFileSystemEntries(userFolder, "*", SearchOption.AllDirectories));
        Assert.Equal("secret", await Sandbox.DownloadTextAsync("open.txt"));
        Assert.Contains(logs.Lines, l => l.Contains("[42]", StringComparison.Ordinal) && l.Contains("777", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_staging_folder_owned_by_another_user_is_refused()
    {
        var (client, userFolder, logs) = Setup();
        Directory.CreateDirectory(userFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, Chown(userFolder, 65534, 65534)); // nobody; the tests run as root

        await WriteInScopeAsync(client, "data/owned.txt", "secret");

        Assert.Empty(Directory.EnumerateFileSystemEntries(userFolder, "*", SearchOption.AllDirectories));
        Assert.Equal("secret", await Sandbox.DownloadTextAsync("owned.txt"));
        Assert.Contains(logs.Lines, l => l.Contains("[42]", StringComparison.Ordinal) && l.Contains("65534", StringComparison.Ordinal));
    }

    private (AzFuseClient Client, string UserFolder, CapturingLoggerFactory Logs) Setup()
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        Directory.CreateDirectory(shm);
        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = shm;
        var logs = new CapturingLoggerFactory();
        return (new AzFuseClient(options, logs), Path.Combine(shm, "azfuse-" + Environment.UserName), logs);
    }

    private static async Task WriteInScopeAsync(AzFuseClient client, string path, string text)
    {
        await using (client.AsyncUpload(shmAsTmp: true))
        {
            client.WriteAllText(path, text);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, int owner, int group);
}
