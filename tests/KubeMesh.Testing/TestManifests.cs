using Xunit;

namespace KubeMesh.Testing;

/// <summary>The acceptance manifests of tests/testdata/manifests (seed/, malformed/), copied beside every test assembly.</summary>
public static class TestManifests
{
    public static readonly string Root = System.IO.Path.Combine(AppContext.BaseDirectory, "testdata", "manifests");

    public static TheoryData<string> Seed() => Files("seed");

    public static TheoryData<string> Malformed() => Files("malformed");

    /// <summary>The full path of a manifest: "seed/01-pod-nginx.yaml".</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Read(string folder, string file) => File.ReadAllText(System.IO.Path.Combine(Root, folder, file));

    /// <summary>The file names in one folder ("seed", "malformed", "hostile"), in name order.</summary>
    public static IReadOnlyList<string> Names(string folder)
    {
        var files = Directory.GetFiles(System.IO.Path.Combine(Root, folder), "*.yaml").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new InvalidOperationException($"no manifests in {System.IO.Path.Combine(Root, folder)}");
    }

    private static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var file in Names(folder))
        {
            data.Add(file);
        }

        return data;
    }
}
