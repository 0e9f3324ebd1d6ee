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

    private static TheoryData<string> Files(string folder)
    {
        var files = Directory.GetFiles(System.IO.Path.Combine(Root, folder), "*.yaml").Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"no manifests in {System.IO.Path.Combine(Root, folder)}");
        }

        var data = new TheoryData<string>();
        foreach (var file in files)
        {
            data.Add(file!);
        }

        return data;
    }
}
