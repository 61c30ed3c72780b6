using System.Globalization;

namespace AzFuse.Configuration;

/// <summary>
/// The Microsoft Entra ID sign-in a storage account file asks for (<c>use_default_azure_cred</c> or
/// <c>credential:</c>) with its settings. Never holds a secret: a service principal's secret is named
/// by the environment variable that holds it, and a certificate by its file.
/// </summary>
/// <param name="Kind">The kind of credential.</param>
/// <param name="Line">The line of the key that chose it, for messages.</param>
/// <param name="ClientId"><c>client_id</c>: a user-assigned identity, a workload identity or a service principal.</param>
/// <param name="TenantId"><c>tenant_id</c>: the Microsoft Entra tenant.</param>
/// <param name="ClientSecretVariable"><c>client_secret_env</c>: the environment variable that holds a service principal's secret.</param>
/// <param name="ClientCertificatePath"><c>client_certificate_path</c>: a service principal's certificate (PEM or PFX).</param>
internal sealed record CredentialSettings(
    CredentialKind Kind,
    int Line,
    string? ClientId = null,
    string? TenantId = null,
    string? ClientSecretVariable = null,
    string? ClientCertificatePath = null)
{
    /// <summary>The words <c>credential:</c> takes, for messages.</summary>
    public const string Choices = "managed_identity, workload_identity, azure_cli, service_principal, environment or default";

    /// <summary>Reads the value of <c>credential:</c>; <see langword="null"/> when it is not one of <see cref="Choices"/>.</summary>
    public static CredentialKind? ParseKind(string value) => value.Trim().ToLowerInvariant() switch
    {
        "managed_identity" => CredentialKind.ManagedIdentity,
        "workload_identity" => CredentialKind.WorkloadIdentity,
        "azure_cli" => CredentialKind.AzureCli,
        "service_principal" => CredentialKind.ServicePrincipal,
        "environment" => CredentialKind.Environment,
        "default" => CredentialKind.Default,
        _ => null,
    };

    /// <summary>What a person reads in a message or in <c>azfuse doctor</c>, e.g. "managed identity (client id 1234…)".</summary>
    public string Describe() => Kind switch
    {
        CredentialKind.ManagedIdentity => ClientId is null ? "managed identity (system-assigned)" : $"managed identity (user-assigned, client id {ClientId})",
        CredentialKind.WorkloadIdentity => "workload identity" + (ClientId is null ? string.Empty : $" (client id {ClientId})"),
        CredentialKind.AzureCli => "Azure CLI sign-in (az login)" + (TenantId is null ? string.Empty : $" in tenant {TenantId}"),
        CredentialKind.ServicePrincipal => string.Create(CultureInfo.InvariantCulture, $"service principal {ClientId} in tenant {TenantId} ({(ClientCertificatePath is null ? $"secret from ${ClientSecretVariable}" : $"certificate {ClientCertificatePath}")})"),
        CredentialKind.Environment => "environment credential (AZURE_TENANT_ID, AZURE_CLIENT_ID, ...)",
        CredentialKind.Default => "default Azure credential (environment, workload identity, managed identity, Azure CLI)",
        CredentialKind.Code => "a TokenCredential from the application (AzFuseOptions)",
        _ => Kind.ToString(),
    };
}
