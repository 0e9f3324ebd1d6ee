namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>The acceptance manifests under tests/testdata/manifests, copied next to the test assembly.</summary>
internal static class TestManifests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "testdata", "manifests");

    public static TheoryData<string> Seed() => Files("seed");

    public static TheoryData<string> Malformed() => Files("malformed");

    public static string Read(string folder, string file) => File.ReadAllText(Path.Combine(Root, folder, file));

    /// <summary>The file names in one folder, in name order.</summary>
    public static IReadOnlyList<string> Names(string folder)
    {
        var files = Directory.GetFiles(Path.Combine(Root, folder), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        return files;
    }

    private static TheoryData<string> Files(string folder)
    {
        var files = Names(folder);
        var data = new TheoryData<string>();
        foreach (var file in files)
        {
            data.Add(file!);
        }

        return data;
    }
}
