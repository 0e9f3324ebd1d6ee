namespace KubeMesh.Testing;

/// <summary>The checkout the tests were built from: its root (where KubeMesh.sln is) and its projects' build outputs.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built with, so the sibling outputs match.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>A file in the build output of src/<paramref name="project"/>.</summary>
    public static string BuildOutput(string project, string file) =>
        Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", file);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KubeMesh.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("KubeMesh.sln not found above " + AppContext.BaseDirectory);
    }
}
