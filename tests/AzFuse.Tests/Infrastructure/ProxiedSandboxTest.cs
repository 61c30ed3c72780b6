using AzFuse.Testing;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// A <see cref="SandboxTest"/> whose library requests (and azcopy's) go through a <see cref="LinkProxy"/>
/// on loopback, so that a test can count the bytes and requests, slow the link down, or cut a response.
/// Seeding and checking through the sandbox still go straight to Azurite.
/// </summary>
public abstract class ProxiedSandboxTest(AzuriteFixture azurite) : SandboxTest(azurite), IAsyncLifetime
{
    protected LinkProxy Proxy { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Proxy = LinkProxy.Start(Server, LinkProfile.Loopback);
        Sandbox.RouteThrough(Proxy);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await DisposeAsync();
    }

    /// <summary>The ranged GETs the proxy saw, as their range headers ("bytes=0-65535"), in order.</summary>
    protected List<string?> GetRanges() =>
        Proxy.Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal))
            .Select(r => r.IndexOf(" range=", StringComparison.Ordinal) is var at and >= 0 ? r[(at + " range=".Length)..] : null)
            .ToList();
}
