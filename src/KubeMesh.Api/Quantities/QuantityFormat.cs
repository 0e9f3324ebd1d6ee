namespace KubeMesh.Api.Quantities;

/// <summary>The suffix family a quantity was written in; the canonical form keeps it ("1Gi" stays binary).</summary>
public enum QuantityFormat
{
    /// <summary>n, u, m, "", k, M, G, T, P, E.</summary>
    DecimalSI,

    /// <summary>Ki, Mi, Gi, Ti, Pi, Ei.</summary>
    BinarySI,

    /// <summary>1e3, 5E-3.</summary>
    DecimalExponent,
}
