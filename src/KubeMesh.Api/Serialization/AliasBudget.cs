namespace KubeMesh.Api.Serialization;

/// <summary>
/// go-yaml's defence against "billion laughs" (the fix for Kubernetes' CVE-2019-11253), which kubectl and
/// kube-apiserver decode with: a document may not be mostly alias expansion. Up to 400,000 decoded nodes, 99% of
/// them may come from aliases; from there the share falls smoothly to 10% at 4,000,000. Counted per document,
/// before an alias is expanded, so a refused expansion costs nothing.
/// </summary>
internal sealed class AliasBudget
{
    private const long RangeLow = 400_000;
    private const long RangeHigh = 4_000_000;

    private long _decoded;
    private long _fromAliases;

    /// <summary>One node read from the text itself.</summary>
    public void Decoded() => _decoded++;

    /// <summary>
    /// Whether an alias of <paramref name="nodes"/> nodes may be expanded; when it may, they are counted.
    /// </summary>
    public bool TryExpand(long nodes)
    {
        var decoded = _decoded + nodes;
        var fromAliases = _fromAliases + nodes;
        if (fromAliases > 100 && decoded > 1000 && (double)fromAliases / decoded > AllowedRatio(decoded))
        {
            return false;
        }

        _decoded = decoded;
        _fromAliases = fromAliases;
        return true;
    }

    /// <summary>The number of nodes decoded so far, aliases' expansions included.</summary>
    public long Count => _decoded;

    private static double AllowedRatio(long decoded) => decoded switch
    {
        <= RangeLow => 0.99,
        >= RangeHigh => 0.10,
        _ => 0.99 - (0.89 * (decoded - RangeLow) / (RangeHigh - RangeLow)),
    };
}
