using System.Globalization;
using System.Reflection;

namespace KubeMesh.Testing;

/// <summary>The project's embedded store (src/Store: Garnet with an append-only file), run as the cluster runs it.</summary>
public sealed class EmbeddedStoreServer() : StoreServer("garnet")
{
    protected override (string File, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?>? Environment) Command()
    {
        var dll = Environment.GetEnvironmentVariable("KUBEMESH_STORE_DLL") ?? typeof(EmbeddedStoreServer).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KubeMeshStoreAssembly").Value!;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("the embedded store (src/Store) is not built; the test kit builds it, or set KUBEMESH_STORE_DLL", dll);
        }

        return (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll], new Dictionary<string, string?>
        {
            ["STORE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["STORE_BIND"] = "127.0.0.1",
            ["STORE_DATA_DIR"] = DataDirectory,
            ["STORE_PASSWORD"] = Password,
        });
    }
}
