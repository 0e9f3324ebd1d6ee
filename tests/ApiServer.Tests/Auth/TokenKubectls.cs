namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>Real kubectls, each with a kubeconfig holding one bearer token for an HTTPS api-server; disposed together.</summary>
public sealed class TokenKubectls : IDisposable
{
    private readonly List<Kubectl> _kubectls = [];
    private readonly List<string> _files = [];

    public Kubectl As(Uri rest, string caPem, string token)
    {
        Kubectl.Require();
        var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, string.Join("\n",
            "apiVersion: v1",
            "kind: Config",
            $"clusters: [{{name: t, cluster: {{server: \"{rest.ToString().TrimEnd('/')}\", certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caPem))}}}}}]",
            $"users: [{{name: t, user: {{token: \"{token}\"}}}}]",
            "contexts: [{name: t, context: {cluster: t, user: t}}]",
            "current-context: t"));
        _files.Add(path);
        var kubectl = new Kubectl(path);
        _kubectls.Add(kubectl);
        return kubectl;
    }

    public void Dispose()
    {
        foreach (var kubectl in _kubectls)
        {
            kubectl.Dispose();
        }

        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }
}
