using AzFuse.Testing;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// Base of the storage tests: each test gets its own sandbox (container, YAML files, cache) on
/// the collection's Azurite, with azcopy wrapped so the test can count its invocations.
/// </summary>
public abstract class SandboxTest(AzuriteFixture azurite) : IAsyncLifetime
{
    protected AzuriteServer Server => azurite.Server;

    protected AzFuseSandbox Sandbox { get; private set; } = null!;

    protected AzCopyCounter AzCopy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await AzFuseSandbox.CreateAsync(azurite.Server);
        AzCopy = AzCopyCounter.Create(Path.Combine(Sandbox.Root, "counter"));
        Sandbox.AzCopyPath = AzCopy.ScriptPath;
    }

    public Task DisposeAsync()
    {
        Sandbox.Dispose();
        return Task.CompletedTask;
    }
}
