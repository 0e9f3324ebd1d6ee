using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.CertificateController.Acme;

/// <summary>
/// An RFC 8555 client for one account: every request is a JWS signed with the account key (ES256), carrying a
/// fresh nonce and the request URL; the first identifies the key by its JWK, later ones by the account URL (kid).
/// A badNonce answer is retried with the nonce it carries, as section 6.5 asks. Reads are POST-as-GET.
/// </summary>
public sealed class AcmeClient(HttpClient http, Uri directoryUrl, AccountKey key)
{
    private const string JoseJson = "application/jose+json";
    private const int BadNonceRetries = 5;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly AcmeNonces _nonces = new();
    private AcmeDirectory? _directory;
    private Uri? _accountUrl;

    public AccountKey Key => key;

    public Uri DirectoryUrl => directoryUrl;

    /// <summary>The account URL once <see cref="RegisterAccountAsync"/> has run (the JWS "kid").</summary>
    public Uri? AccountUrl => _accountUrl;

    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        using var response = await http.GetAsync(directoryUrl, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, directoryUrl, cancellationToken).ConfigureAwait(false);
        var directory = await ReadAsync<AcmeDirectory>(response, cancellationToken).ConfigureAwait(false);
        if (directory.NewNonce is null || directory.NewAccount is null || directory.NewOrder is null)
        {
            throw new InvalidDataException($"{directoryUrl} is not an ACME directory: newNonce, newAccount or newOrder is missing");
        }

        return _directory = directory;
    }

    /// <summary>
    /// Creates the account, or finds the one this key already has (the server answers 200 with its URL), and makes
    /// its contact the given e-mail address.
    /// </summary>
    public async Task<AcmeAccount> RegisterAccountAsync(string? email, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        JsonArray contact = string.IsNullOrEmpty(email) ? [] : ["mailto:" + email];
        var payload = new JsonObject { ["termsOfServiceAgreed"] = true, ["contact"] = contact };
        using var response = await PostAsync(directory.NewAccount, payload, useKid: false, cancellationToken).ConfigureAwait(false);
        var url = response.Headers.Location ?? throw new InvalidDataException("newAccount answered without a Location header");
        _accountUrl = url;
        var account = await ReadAsync<AcmeAccount>(response, cancellationToken).ConfigureAwait(false) with { Url = url };
        if (account.Status != "valid")
        {
            throw new InvalidOperationException($"the ACME account {url} is {account.Status}");
        }

        var wanted = contact.Select(c => c!.GetValue<string>()).ToList();
        if (response.StatusCode == HttpStatusCode.OK && !account.Contact.SequenceEqual(wanted))
        {
            using var updated = await PostAsync(url, new JsonObject { ["contact"] = contact.DeepClone() }, useKid: true, cancellationToken).ConfigureAwait(false);
            account = await ReadAsync<AcmeAccount>(updated, cancellationToken).ConfigureAwait(false) with { Url = url };
        }

        return account;
    }

    /// <summary>Looks up the account this key already has without creating one (onlyReturnExisting, section 7.3.1).</summary>
    private async Task FindAccountAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var response = await PostAsync(directory.NewAccount, new JsonObject { ["onlyReturnExisting"] = true }, useKid: false, cancellationToken).ConfigureAwait(false);
        _accountUrl = response.Headers.Location ?? throw new InvalidDataException("newAccount answered without a Location header");
    }

    public async Task<AcmeOrder> CreateOrderAsync(IEnumerable<AcmeIdentifier> identifiers, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (var identifier in identifiers)
        {
            list.Add(new JsonObject { ["type"] = identifier.Type, ["value"] = identifier.Value });
        }

        using var response = await PostAsync(directory.NewOrder, new JsonObject { ["identifiers"] = list }, useKid: true, cancellationToken).ConfigureAwait(false);
        var url = response.Headers.Location ?? throw new InvalidDataException("newOrder answered without a Location header");
        return await ReadOrderAsync(response, url, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AcmeOrder> GetOrderAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, payload: null, useKid: true, cancellationToken).ConfigureAwait(false);
        return await ReadOrderAsync(response, url, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AcmeAuthorization> GetAuthorizationAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, payload: null, useKid: true, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<AcmeAuthorization>(response, cancellationToken).ConfigureAwait(false) with { Url = url };
    }

    public async Task<AcmeChallenge> GetChallengeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, payload: null, useKid: true, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<AcmeChallenge>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells the server the challenge is ready to be validated (an empty JSON object, section 7.5.1).</summary>
    public async Task<AcmeChallenge> AcceptChallengeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, new JsonObject(), useKid: true, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<AcmeChallenge>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the DER certificate signing request of a ready order.</summary>
    public async Task<AcmeOrder> FinalizeOrderAsync(AcmeOrder order, byte[] csrDer, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["csr"] = Base64Url.EncodeToString(csrDer) };
        using var response = await PostAsync(order.Finalize, payload, useKid: true, cancellationToken).ConfigureAwait(false);
        return await ReadOrderAsync(response, order.Url, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads a valid order's certificate chain (PEM, leaf first), with the alternative chains' URLs.</summary>
    public async Task<AcmeCertificateChain> DownloadCertificateAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, payload: null, useKid: true, cancellationToken, "application/pem-certificate-chain").ConfigureAwait(false);
        var pem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var alternates = response.Headers.TryGetValues("Link", out var links)
            ? links.SelectMany(l => l.Split(',')).Select(ParseAlternate).OfType<Uri>().Select(u => new Uri(url, u)).ToList()
            : [];
        return new AcmeCertificateChain(pem, alternates);
    }

    private static Uri? ParseAlternate(string link)
    {
        var parts = link.Split(';', StringSplitOptions.TrimEntries);
        return parts.Length > 1 && parts[0].StartsWith('<') && parts[0].EndsWith('>')
            && parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "rel=\"alternate\"" or "rel=alternate")
            ? new Uri(parts[0][1..^1], UriKind.RelativeOrAbsolute)
            : null;
    }

    private async Task<AcmeOrder> ReadOrderAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        var order = await ReadAsync<AcmeOrder>(response, cancellationToken).ConfigureAwait(false);
        return order with { Url = url, RetryAfter = RetryAfter(response) };
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    /// <summary>A signed POST; a null payload is a POST-as-GET (the empty string as payload).</summary>
    private async Task<HttpResponseMessage> PostAsync(Uri url, JsonNode? payload, bool useKid, CancellationToken cancellationToken, string? accept = null)
    {
        if (useKid && _accountUrl is null)
        {
            await FindAccountAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 0; ; attempt++)
        {
            var nonce = await NextNonceAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(Sign(url, payload, nonce, useKid), Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            _nonces.Keep(response);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                if (problem.Type == AcmeProblem.BadNonce && attempt < BadNonceRetries)
                {
                    continue;
                }

                throw new AcmeException(response.StatusCode, problem, url);
            }
        }
    }

    private string Sign(Uri url, JsonNode? payload, string nonce, bool useKid)
    {
        var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = nonce, ["url"] = url.AbsoluteUri };
        if (useKid)
        {
            header["kid"] = _accountUrl!.AbsoluteUri;
        }
        else
        {
            header["jwk"] = key.Jwk();
        }

        var protectedPart = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var payloadPart = payload is null ? "" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = key.Sign(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart));
        return new JsonObject
        {
            ["protected"] = protectedPart,
            ["payload"] = payloadPart,
            ["signature"] = Base64Url.EncodeToString(signature),
        }.ToJsonString();
    }

    private async Task<string> NextNonceAsync(CancellationToken cancellationToken)
    {
        if (_nonces.TryTake(out var nonce))
        {
            return nonce;
        }

        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, directory.NewNonce, cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } fresh
            ? fresh
            : throw new InvalidDataException($"{directory.NewNonce} answered without a Replay-Nonce header");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new AcmeException(response.StatusCode, await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false), url);
        }
    }

    private static async Task<AcmeProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<AcmeProblem>(body, Json) ?? new AcmeProblem { Detail = body };
        }
        catch (JsonException)
        {
            return new AcmeProblem { Status = (int)response.StatusCode, Detail = body.Length > 200 ? body[..200] : body };
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"empty {typeof(T).Name} from {response.RequestMessage?.RequestUri}");
    }
}
