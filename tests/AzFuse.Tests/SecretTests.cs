using System.Text;
using AzFuse.Diagnostics;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>No SAS signature or account key in any message, log line or ToString.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SecretTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Expired_sas_gives_a_403_message_that_says_what_to_check_without_the_signature()
    {
        await Sandbox.UploadAsync("a.txt", "a");
        var expired = Sandbox.ContainerSas("rl",
            DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1));
        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{expired}'\ncontainer_name: {Sandbox.ContainerName}\nendpoint: {Server.Endpoint}\n");

        var ex = Assert.Throws<AzFuseException>(() => Sandbox.CreateClient().Open("data/a.txt", FileMode.Open));

        Assert.Contains("403", ex.Message);
        Assert.Contains("expired", ex.Message);
        Assert.Contains("azurite.yaml", ex.Message);
        AssertNoSecret(ex.ToString(), expired);
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    [InlineData(AzFuseTransferEngine.Http)]
    public async Task Nothing_logged_during_downloads_contains_a_signature_or_the_account_key(AzFuseTransferEngine engine)
    {
        Sandbox.Engine = engine;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 3).Select(i => ($"{i}.txt", Encoding.UTF8.GetBytes($"{i}"))));
        using var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        client.Open("data/0.txt", FileMode.Open).Dispose();
        client.Prepare(["data/1.txt", "data/2.txt"]);
        Assert.ThrowsAny<Exception>(() => client.Prepare(["data/x.txt", "data/y.txt"]));

        if (engine == AzFuseTransferEngine.AzCopy)
        {
            Assert.Contains(logs.Lines, l => l.Contains("azcopy", StringComparison.OrdinalIgnoreCase) && l.Contains("sig=REDACTED", StringComparison.Ordinal));
        }
        foreach (var line in logs.Lines)
        {
            AssertNoSecret(line, sas: null);
        }
    }

    [Fact]
    public void Redaction_removes_sas_signatures_wherever_they_appear()
    {
        var text = "GET https://a.blob.core.windows.net/c/b?sv=2021-08-06&se=2026&sr=c&sp=rl&sig=abc%2Bdef%3D rest 'sig=XYZ' Authorization: SharedKey acct:c2lnbmF0dXJl";

        var redacted = Redaction.Redact(text);

        Assert.DoesNotContain("abc%2Bdef", redacted);
        Assert.DoesNotContain("XYZ", redacted);
        Assert.DoesNotContain("c2lnbmF0dXJl", redacted);
        Assert.Contains("se=2026", redacted);
    }

    private static void AssertNoSecret(string text, string? sas)
    {
        Assert.DoesNotContain(AzuriteServer.AccountKey, text);
        Assert.DoesNotContain(Uri.EscapeDataString(AzuriteServer.AccountKey), text);
        Assert.DoesNotMatch(@"sig=(?!REDACTED)[A-Za-z0-9%+/=]{8,}", text);
        if (sas is not null)
        {
            var signature = sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..];
            Assert.DoesNotContain(signature, text);
            Assert.DoesNotContain(Uri.UnescapeDataString(signature), text);
        }
    }
}
