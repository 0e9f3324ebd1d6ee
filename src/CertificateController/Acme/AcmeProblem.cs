using System.Text.Json.Serialization;

namespace KubeMesh.CertificateController.Acme;

/// <summary>An RFC 7807 problem document as ACME servers return them (RFC 8555 section 6.7).</summary>
public sealed record AcmeProblem
{
    public const string BadNonce = "urn:ietf:params:acme:error:badNonce";

    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("detail")]
    public string Detail { get; init; } = "";

    [JsonPropertyName("status")]
    public int Status { get; init; }

    [JsonPropertyName("subproblems")]
    public IReadOnlyList<AcmeProblem> Subproblems { get; init; } = [];

    public override string ToString()
    {
        var text = Type.Length > 0 ? $"{Type}: {Detail}" : Detail;
        return Subproblems.Count == 0 ? text : text + " (" + string.Join("; ", Subproblems.Select(s => s.ToString())) + ")";
    }
}
