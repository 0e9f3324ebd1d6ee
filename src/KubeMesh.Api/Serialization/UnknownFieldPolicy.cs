namespace KubeMesh.Api.Serialization;

/// <summary>What decoding does with a field the kind does not have: kube-apiserver's fieldValidation.</summary>
public enum UnknownFieldPolicy
{
    /// <summary>Refuse the object, naming every unknown field (what manifests get, and kubectl's default).</summary>
    Strict,

    /// <summary>Drop unknown fields and report each as a warning (the api-server's default).</summary>
    Warn,

    /// <summary>Drop unknown fields silently.</summary>
    Ignore,
}
