using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Cli;

/// <summary>A fact that is skipped, saying why, where no buf binary is installed.</summary>
public sealed class BufFactAttribute : FactAttribute
{
    public BufFactAttribute()
    {
        if (BufCli.Find() is null)
        {
            Skip = "buf is not installed: set KUBEMESH_BUF to the buf binary (npm install @bufbuild/buf@1.75.0) or put buf on PATH";
        }
    }
}
