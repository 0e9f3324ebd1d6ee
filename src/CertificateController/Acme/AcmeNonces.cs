using System.Collections.Concurrent;

namespace KubeMesh.CertificateController.Acme;

/// <summary>
/// Anti-replay nonces (RFC 8555 section 7.2): every response's Replay-Nonce is kept for the next request, so only
/// the first request, or one after a burst, asks newNonce for a fresh one.
/// </summary>
internal sealed class AcmeNonces
{
    private const int MaxKept = 32;
    private readonly ConcurrentQueue<string> _nonces = new();

    public bool TryTake(out string nonce) => _nonces.TryDequeue(out nonce!);

    public void Keep(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && _nonces.Count < MaxKept)
        {
            foreach (var value in values.Where(v => v.Length > 0))
            {
                _nonces.Enqueue(value);
            }
        }
    }
}
