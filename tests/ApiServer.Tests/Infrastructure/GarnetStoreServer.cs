using System.Diagnostics;
using System.Reflection;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>The project's embedded store (src/Store: Garnet with an append-only file), run as the cluster runs it.</summary>
public sealed class GarnetStoreServer() : StoreServer("garnet")
{
    protected override ProcessStartInfo CreateStartInfo()
    {
        var dll = Environment.GetEnvironmentVariable("KUBEMESH_STORE_DLL") ?? typeof(GarnetStoreServer).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KubeMeshStoreAssembly").Value!;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("the embedded store (src/Store) is not built; the test project builds it, or set KUBEMESH_STORE_DLL", dll);
        }

        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(dll);
        start.Environment["STORE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["STORE_BIND"] = "127.0.0.1";
        start.Environment["STORE_DATA_DIR"] = DataDirectory;
        return start;
    }
}
