using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace AzFuse.Testing;

/// <summary>
/// A self-signed TLS certificate for 127.0.0.1, ::1 and localhost, made with
/// <see cref="CertificateRequest"/> and written as PEM files, so that Azurite can serve HTTPS
/// (<c>--cert</c>, <c>--key</c>) and clients can be told to trust exactly this certificate:
/// .NET through <see cref="CreateHttpMessageHandler"/> or <see cref="CreateTransport"/>, azcopy
/// (Go) through <c>SSL_CERT_FILE</c> (<see cref="AzCopyEnvironment"/>).
/// </summary>
public sealed class LoopbackCertificate : IDisposable
{
    private LoopbackCertificate(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        Certificate = certificate;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    /// <summary>The certificate (public part only; the private key is only in <see cref="KeyPath"/>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate as PEM: Azurite's <c>--cert</c>, and what <c>SSL_CERT_FILE</c> names for azcopy.</summary>
    public string CertificatePath { get; }

    /// <summary>The private key as PKCS#8 PEM: Azurite's <c>--key</c>.</summary>
    public string KeyPath { get; }

    /// <summary>
    /// What azcopy needs in its environment to trust this certificate: <c>SSL_CERT_FILE</c>.
    /// Go on Linux then trusts this file instead of the system's roots (so such a process
    /// trusts nothing else).
    /// </summary>
    public IReadOnlyDictionary<string, string> AzCopyEnvironment => new Dictionary<string, string> { ["SSL_CERT_FILE"] = CertificatePath };

    /// <summary>
    /// Makes a new key pair and certificate (ECDSA P-256, valid from one day ago for 30 days) and
    /// writes <c>cert.pem</c> and <c>key.pem</c> into <paramref name="folder"/>.
    /// </summary>
    public static LoopbackCertificate Create(string folder)
    {
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);

        // Go (azcopy) checks only the subject alternative names, never the common name.
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // serverAuth
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        using var withKey = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var certificatePath = Path.Combine(folder, "cert.pem");
        var keyPath = Path.Combine(folder, "key.pem");
        File.WriteAllText(certificatePath, withKey.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        return new LoopbackCertificate(X509CertificateLoader.LoadCertificate(withKey.RawData), certificatePath, keyPath);
    }

    /// <summary>
    /// True for exactly this certificate, presented for a name it covers (the only policy error
    /// allowed is the untrusted chain that a self-signed certificate always has). Usable as
    /// <see cref="HttpClientHandler.ServerCertificateCustomValidationCallback"/> (with a discard
    /// for the request) and as <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.
    /// </summary>
    public bool Accepts(X509Certificate? presented, SslPolicyErrors errors) =>
        presented is not null
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && presented.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData);

    /// <summary>An HTTP handler that trusts this certificate and nothing else (for HTTPS).</summary>
    public HttpMessageHandler CreateHttpMessageHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, errors) => Accepts(presented, errors),
        },
    };

    /// <summary>
    /// An Azure SDK transport that trusts this certificate: set it as the client options'
    /// <c>Transport</c> (BlobClientOptions, TokenCredentialOptions, ...).
    /// </summary>
    public HttpClientTransport CreateTransport() => new(CreateHttpMessageHandler());

    public void Dispose() => Certificate.Dispose();
}
