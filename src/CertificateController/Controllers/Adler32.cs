namespace KubeMesh.CertificateController.Controllers;

/// <summary>Adler-32 (RFC 1950), as cert-manager hashes names into labels and object names.</summary>
internal static class Adler32
{
    public static uint Checksum(ReadOnlySpan<byte> data)
    {
        const uint Modulus = 65521;
        uint a = 1, b = 0;
        foreach (var value in data)
        {
            a = (a + value) % Modulus;
            b = (b + a) % Modulus;
        }

        return (b << 16) | a;
    }

    public static uint Checksum(string text) => Checksum(System.Text.Encoding.UTF8.GetBytes(text));
}
