using AzFuse.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Reads the Microsoft Entra ID sign-in of a storage account file: the Python tool's
/// <c>use_default_azure_cred: true</c>, or this library's <c>credential:</c> with its settings.
/// A file that names two credentials is refused, naming the line and the choices.
/// </summary>
internal static class CredentialSettingsReader
{
    private static readonly string[] s_settingKeys = ["client_id", "tenant_id", "client_secret_env", "client_certificate_path"];

    /// <returns>The sign-in asked for, or <see langword="null"/> when the file uses a key, a SAS, or nothing.</returns>
    public static CredentialSettings? Read(YamlMappingNode map, string path, bool hasKey, bool hasSas)
    {
        if (YamlFile.GetScalar(map, "client_secret", path) is not null)
        {
            var (file, at) = YamlKeys.Where(map, "client_secret", path);
            throw Errors.SecretInAccountFile(file, at);
        }

        var useDefault = YamlKeys.GetBoolean(map, "use_default_azure_cred", path) == true;
        var credentialText = YamlFile.GetScalar(map, "credential", path);
        var chosen = new List<(string Key, int Line)>();
        if (hasKey)
        {
            chosen.Add(("account_key", YamlKeys.LineOf(map, "account_key")));
        }

        if (hasSas)
        {
            chosen.Add(("sas_token", YamlKeys.LineOf(map, "sas_token")));
        }

        if (useDefault)
        {
            chosen.Add(("use_default_azure_cred", YamlKeys.LineOf(map, "use_default_azure_cred")));
        }

        if (credentialText is not null)
        {
            chosen.Add(("credential", YamlKeys.LineOf(map, "credential")));
        }

        // account_key with sas_token is what the Python tool's files often hold (the key signs
        // requests, the SAS went to azcopy): it stays allowed. A token credential beside anything
        // else is ambiguous.
        var tokenKinds = chosen.Count(c => c.Key is "use_default_azure_cred" or "credential");
        if (tokenKinds > 0 && chosen.Count > 1)
        {
            throw Errors.CredentialsConflict(YamlInheritance.FileOf(map, chosen[^1].Key, path), chosen[^1].Line, chosen.Select(c => c.Key).ToList());
        }

        if (tokenKinds == 0)
        {
            var stray = s_settingKeys.FirstOrDefault(k => YamlFile.GetScalar(map, k, path) is not null);
            return stray is null ? null : throw Errors.CredentialSettingWithoutCredential(YamlInheritance.FileOf(map, stray, path), YamlKeys.LineOf(map, stray), stray);
        }

        if (useDefault)
        {
            return new CredentialSettings(CredentialKind.Default, YamlKeys.LineOf(map, "use_default_azure_cred"), ClientId: YamlFile.GetScalar(map, "client_id", path), TenantId: YamlFile.GetScalar(map, "tenant_id", path));
        }

        var line = YamlKeys.LineOf(map, "credential");
        var credentialFile = YamlInheritance.FileOf(map, "credential", path);
        var kind = CredentialSettings.ParseKind(credentialText!) ?? throw Errors.CredentialUnknown(credentialFile, line, credentialText!);
        var settings = new CredentialSettings(
            kind,
            line,
            ClientId: YamlFile.GetScalar(map, "client_id", path),
            TenantId: YamlFile.GetScalar(map, "tenant_id", path),
            ClientSecretVariable: YamlFile.GetScalar(map, "client_secret_env", path),
            ClientCertificatePath: YamlFile.GetScalar(map, "client_certificate_path", path));

        if (kind == CredentialKind.ServicePrincipal)
        {
            foreach (var required in new[] { ("tenant_id", settings.TenantId), ("client_id", settings.ClientId) })
            {
                if (required.Item2 is null)
                {
                    throw Errors.CredentialSettingMissing(credentialFile, line, kind, required.Item1);
                }
            }

            if ((settings.ClientSecretVariable is null) == (settings.ClientCertificatePath is null))
            {
                throw Errors.ServicePrincipalNeedsOneSecret(credentialFile, line);
            }

            if (settings.ClientCertificatePath is { } certificate && !Path.IsPathRooted(certificate))
            {
                // Relative to the account file that names it, so that the pair can be moved together.
                settings = settings with { ClientCertificatePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(YamlInheritance.FileOf(map, "client_certificate_path", path))!, certificate)) };
            }
        }
        else
        {
            var stray = new[] { ("client_secret_env", settings.ClientSecretVariable), ("client_certificate_path", settings.ClientCertificatePath) }.FirstOrDefault(s => s.Item2 is not null).Item1;
            if (stray is not null)
            {
                throw Errors.CredentialSettingNotApplicable(YamlInheritance.FileOf(map, stray, path), YamlKeys.LineOf(map, stray), kind, stray);
            }
        }

        return settings;
    }
}
