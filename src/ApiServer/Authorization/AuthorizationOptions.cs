namespace KubeMesh.ApiServer.Authorization;

/// <summary>The Authorization section, as kube-apiserver's --authorization-mode.</summary>
public sealed class AuthorizationOptions
{
    public const string Section = "Authorization";

    public static readonly string[] Modes = ["AlwaysAllow", "AlwaysDeny", "Node", "RBAC"];

    /// <summary>
    /// The authorizers asked in order, comma-separated: AlwaysAllow (the default: every request is allowed),
    /// AlwaysDeny, Node, RBAC. A cluster with credentials runs "Node,RBAC".
    /// </summary>
    public string Mode { get; set; } = "AlwaysAllow";

    public IReadOnlyList<string> ParsedModes()
    {
        var modes = Mode.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (modes.Length == 0)
        {
            throw new InvalidOperationException($"{Section}:Mode: Required value: one or more of {string.Join(", ", Modes)}");
        }

        foreach (var mode in modes)
        {
            if (!Modes.Contains(mode, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"{Section}:Mode: Unsupported value: \"{mode}\": supported values: {string.Join(", ", Modes.Select(m => $"\"{m}\""))}");
            }
        }

        if (modes.Distinct(StringComparer.Ordinal).Count() != modes.Length)
        {
            throw new InvalidOperationException($"{Section}:Mode: Duplicate value: \"{Mode}\"");
        }

        return modes;
    }
}
