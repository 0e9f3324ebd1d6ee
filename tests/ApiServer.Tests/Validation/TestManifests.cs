namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>The acceptance manifests under tests/testdata/manifests, copied next to the test assembly.</summary>
internal static class TestManifests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "testdata", "manifests");

    public static TheoryData<string> Seed() => Files("seed");

    public static TheoryData<string> Malformed() => Files("malformed");

    public static TheoryData<string> Certificates() => Files("certificates");

    public static string Read(string folder, string file) => File.ReadAllText(Path.Combine(Root, folder, file));

    private static TheoryData<string> Files(string folder)
    {
        var files = Directory.GetFiles(Path.Combine(Root, folder), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var data = new TheoryData<string>();
        foreach (var file in files)
        {
            data.Add(file!);
        }

        return data;
    }
}
