using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TinyStack.Cli;

/// <summary>The certificate of <c>tinystack run --tls</c>: loaded from a file, or made at start.</summary>
public static class TlsCertificates
{
    /// <summary>A PFX/PKCS#12 file (.pfx, .p12), or PEM with the key in the same file or in <paramref name="keyPath"/>.</summary>
    public static X509Certificate2 Load(string path, string? keyPath, string? password)
    {
        string extension = Path.GetExtension(path);
        X509Certificate2 certificate = extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase)
            ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
            : X509Certificate2.CreateFromPemFile(path, keyPath);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidDataException($"--cert {path}: the certificate has no private key (give it in the file or with --key).");
        }

        return certificate;
    }

    /// <summary>
    /// A self-signed certificate for <paramref name="address"/> (ECDSA P-256, valid one year from
    /// yesterday, subject alternative names: the address and "tinystack"), for clients that
    /// skip verification (curl -k) or pin its fingerprint.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(IPAddress address)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new("CN=TinyStack " + address, key, HashAlgorithmName.SHA256);
        SubjectAlternativeNameBuilder names = new();
        names.AddIpAddress(address);
        names.AddDnsName("tinystack");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        // Round-trip through PKCS#12 so the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
    }

    /// <summary>SHA-256 fingerprint as colon-separated hex (what browsers and openssl show).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
