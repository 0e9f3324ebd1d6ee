using System.Text.Json.Serialization;

namespace KubeMesh.CertificateController.Acme;

/// <summary>The server's directory: where each operation lives (RFC 8555 section 7.1.1).</summary>
public sealed record AcmeDirectory
{
    [JsonPropertyName("newNonce")]
    public Uri NewNonce { get; init; } = null!;

    [JsonPropertyName("newAccount")]
    public Uri NewAccount { get; init; } = null!;

    [JsonPropertyName("newOrder")]
    public Uri NewOrder { get; init; } = null!;

    [JsonPropertyName("revokeCert")]
    public Uri? RevokeCert { get; init; }

    [JsonPropertyName("keyChange")]
    public Uri? KeyChange { get; init; }
}

public sealed record AcmeAccount
{
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("contact")]
    public IReadOnlyList<string> Contact { get; init; } = [];
}

public sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value);

/// <summary>An order (RFC 8555 section 7.1.3): pending, ready, processing, valid or invalid.</summary>
public sealed record AcmeOrder
{
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("identifiers")]
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    [JsonPropertyName("authorizations")]
    public IReadOnlyList<Uri> Authorizations { get; init; } = [];

    [JsonPropertyName("finalize")]
    public Uri Finalize { get; init; } = null!;

    [JsonPropertyName("certificate")]
    public Uri? Certificate { get; init; }

    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }

    /// <summary>The server's Retry-After, when it asked the client to wait before polling again.</summary>
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AcmeAuthorization
{
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("identifier")]
    public AcmeIdentifier Identifier { get; init; } = new("dns", "");

    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("challenges")]
    public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];

    [JsonPropertyName("wildcard")]
    public bool Wildcard { get; init; }
}

public sealed record AcmeChallenge
{
    public const string Http01 = "http-01";

    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("url")]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("token")]
    public string Token { get; init; } = "";

    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }
}

/// <summary>The PEM chain a valid order's certificate URL serves, and the alternatives the server links to.</summary>
public sealed record AcmeCertificateChain(string Pem, IReadOnlyList<Uri> Alternates);
