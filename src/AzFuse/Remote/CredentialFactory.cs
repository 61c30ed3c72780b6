using AzFuse.Configuration;
using AzFuse.Diagnostics;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;

namespace AzFuse.Remote;

/// <summary>
/// Turns the sign-in a storage account file asks for into an Azure.Identity credential, every one
/// bounded in time (<see cref="BoundedCredential"/>).
/// </summary>
internal static class CredentialFactory
{
    // Inside the default chain a managed-identity endpoint gets this long to answer before the
    // chain moves on to the Azure CLI: an Azure VM's endpoint answers in milliseconds, and off
    // Azure the address either refuses at once or swallows the request.
    private static readonly TimeSpan s_managedIdentityProbe = TimeSpan.FromSeconds(3);

    /// <summary>The credential for <paramref name="account"/>, which has a <see cref="StorageAccount.SignIn"/>.</summary>
    /// <exception cref="AzFuseConfigurationException">The file names something that is not there (an unset secret variable).</exception>
    public static TokenCredential Create(StorageAccount account, TimeSpan timeout, ILogger logger)
    {
        var settings = account.SignIn!;
        var inner = settings.Kind switch
        {
            CredentialKind.Code => account.AppCredential!,
            CredentialKind.ManagedIdentity => ManagedIdentity(settings.ClientId, timeout),
            CredentialKind.WorkloadIdentity => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { ClientId = settings.ClientId, TenantId = settings.TenantId }),
            CredentialKind.AzureCli => new AzureCliCredential(new AzureCliCredentialOptions { TenantId = settings.TenantId, ProcessTimeout = timeout }),
            CredentialKind.ServicePrincipal => ServicePrincipal(account, settings),
            CredentialKind.Environment => new EnvironmentCredential(),
            CredentialKind.Default => DefaultChain(settings, timeout),
            _ => throw new InvalidOperationException($"{settings.Kind} is not a token credential."),
        };
        return new BoundedCredential(inner, account, timeout, logger);
    }

    private static ManagedIdentityCredential ManagedIdentity(string? clientId, TimeSpan timeout)
    {
        var options = new ManagedIdentityCredentialOptions(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = timeout;
        return new ManagedIdentityCredential(options);
    }

    private static TokenCredential ServicePrincipal(StorageAccount account, CredentialSettings settings)
    {
        if (settings.ClientCertificatePath is { } certificate)
        {
            return new ClientCertificateCredential(settings.TenantId, settings.ClientId, certificate);
        }

        var variable = settings.ClientSecretVariable!;
        var secret = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(secret)
            ? throw Errors.SecretVariableNotSet(account, variable)
            : new ClientSecretCredential(settings.TenantId, settings.ClientId, secret);
    }

    /// <summary>
    /// The Python tool's <c>use_default_azure_cred: true</c>, built so that a missing or silent
    /// managed-identity endpoint falls through to the Azure CLI quickly (see <see cref="FallThroughCredential"/>).
    /// Same order as <c>DefaultAzureCredential</c>: environment, workload identity, managed identity, Azure CLI.
    /// </summary>
    private static ChainedTokenCredential DefaultChain(CredentialSettings settings, TimeSpan timeout)
    {
        var probe = s_managedIdentityProbe < timeout ? s_managedIdentityProbe : timeout / 3;
        return new ChainedTokenCredential(
            new FallThroughCredential(new EnvironmentCredential(), "EnvironmentCredential", timeout),
            new FallThroughCredential(new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { ClientId = settings.ClientId, TenantId = settings.TenantId }), "WorkloadIdentityCredential", timeout),
            new FallThroughCredential(ManagedIdentity(settings.ClientId, probe), "ManagedIdentityCredential", probe),
            new FallThroughCredential(new AzureCliCredential(new AzureCliCredentialOptions { TenantId = settings.TenantId, ProcessTimeout = timeout }), "AzureCliCredential", timeout));
    }
}
