namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>The real kmctl binary against the real api-server over a real redis-server.</summary>
public sealed class KmctlEndToEndTests(ApiServerProcessFixture server) : IClassFixture<ApiServerProcessFixture>
{
    private Task<(int ExitCode, string Out, string Err)> Kmctl(params string[] args) => KmctlProcess.RunAsync(server.Address, null, args);

    private Task<(int ExitCode, string Out, string Err)> KmctlWithInput(string stdin, params string[] args) => KmctlProcess.RunAsync(server.Address, stdin, args);

    [SkippableFact]
    public async Task ApplyGetLabelDelete_Pod_BehavesLikeKubectl()
    {
        var manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: e2e-nginx\n  labels:\n    app: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.14.2\n";
        Assert.Equal((0, "pod/e2e-nginx created\n"), Pick(await KmctlWithInput(manifest, "apply", "-f", "-")));
        Assert.Equal((0, "pod/e2e-nginx unchanged\n"), Pick(await KmctlWithInput(manifest, "apply", "-f", "-")));

        var get = await Kmctl("get", "pod", "e2e-nginx", "-L", "app");
        Assert.Equal(0, get.ExitCode);
        var lines = get.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith("NAME        READY   STATUS    RESTARTS   AGE   APP", lines[0]);
        Assert.Matches(@"^e2e-nginx   0/1     Pending   0          \d+s +web$", lines[1]);

        var refused = await Kmctl("label", "pod", "e2e-nginx", "app=api");
        Assert.Equal((1, "error: 'app' already has a value (web), and --overwrite is false\n"), (refused.ExitCode, refused.Err));
        Assert.Equal((0, "pod/e2e-nginx labeled\n"), Pick(await Kmctl("label", "pod", "e2e-nginx", "app=api", "--overwrite")));
        Assert.Equal("pod/e2e-nginx\n", (await Kmctl("get", "pods", "-l", "app=api", "-o", "name")).Out);

        var deleted = await Kmctl("delete", "pod", "e2e-nginx", "--wait=false");
        Assert.Equal((0, "pod \"e2e-nginx\" deleted\n"), Pick(deleted));
    }

    [SkippableFact]
    public async Task Get_JsonPathAndCustomColumns_PrintWhatKubectlPrints()
    {
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: jp-a\n  labels:\n    jp: test\ndata:\n  color: blue\n---\n" +
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: jp-b\n  labels:\n    jp: test\ndata:\n  color: red\n";
        Assert.Equal(0, (await KmctlWithInput(manifest, "apply", "-f", "-")).ExitCode);

        // kmctl prints "blue" with no newline, as kubectl does; the harness reads output line by line and ends each with one.
        Assert.Equal((0, "blue\n"), Pick(await Kmctl("get", "configmap", "jp-a", "-o", "jsonpath={.data.color}")));
        Assert.Equal((0, "jp-a=blue\njp-b=red\n"), Pick(await Kmctl("get", "cm", "-l", "jp=test", "-o=jsonpath={range .items[*]}{.metadata.name}={.data.color}{\"\\n\"}{end}")));
        Assert.Equal((0, "NAME   COLOR\njp-a   blue\njp-b   red\n"), Pick(await Kmctl("get", "cm", "-l", "jp=test", "-o", "custom-columns=NAME:.metadata.name,COLOR:.data.color")));

        var refused = await Kmctl("get", "cm", "-o", "jsonpath={.items[0");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error: error parsing jsonpath {.items[0, unclosed action", refused.Err, StringComparison.Ordinal);
        Assert.Equal("", refused.Out);
    }

    [SkippableFact]
    public async Task Get_ChunkSize_ListsEveryObjectAcrossThePages()
    {
        var manifest = string.Join("---\n", Enumerable.Range(1, 5).Select(i => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chunk-{i}\n  labels:\n    chunk: test\n"));
        Assert.Equal(0, (await KmctlWithInput(manifest, "apply", "-f", "-")).ExitCode);

        var expected = string.Concat(Enumerable.Range(1, 5).Select(i => $"configmap/chunk-{i}\n"));
        Assert.Equal((0, expected), Pick(await Kmctl("get", "cm", "-l", "chunk=test", "--chunk-size=2", "-o", "name")));
        Assert.Equal((0, expected), Pick(await Kmctl("get", "cm", "-l", "chunk=test", "--chunk-size=0", "-o", "name")));
        var refused = await Kmctl("get", "cm", "--chunk-size=-1");
        Assert.Equal((1, "error: --chunk-size: must be 0 or more, got -1\n"), (refused.ExitCode, refused.Err));
    }

    [SkippableFact]
    public async Task Trace_PrintsTheTraceIdOnStderr_AndLeavesTheOutputAlone()
    {
        var plain = await Kmctl("get", "namespaces", "-o", "name");
        var traced = await Kmctl("get", "namespaces", "-o", "name", "--trace");

        Assert.Equal((0, plain.Out), (traced.ExitCode, traced.Out));
        Assert.Matches("^trace id: [0-9a-f]{32}\n$", traced.Err);
        Assert.DoesNotMatch("^trace id: 0{32}", traced.Err);
        Assert.Equal("", plain.Err);
    }

    [SkippableFact]
    public async Task Help_NamesTheCommandsAndTheGlobalFlags()
    {
        var help = await Kmctl("help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("apply -f FILE|DIR|-", help.Out, StringComparison.Ordinal);
        Assert.Contains("--trace", help.Out, StringComparison.Ordinal);
        Assert.Equal(help.Out, (await Kmctl("--help")).Out);
    }

    [SkippableFact]
    public async Task Get_MissingPod_PrintsNotFoundAndFails()
    {
        var result = await Kmctl("get", "pod", "no-such-pod");
        Assert.Equal((1, "", "Error from server (NotFound): pods \"no-such-pod\" not found\n"), (result.ExitCode, result.Out, result.Err));
    }

    [SkippableFact]
    public async Task Apply_FileWithOneInvalidDocument_WritesNothing()
    {
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-good\ndata:\n  a: b\n---\n" +
                       "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: e2e-bad\nspec:\n  template:\n    backoffLimit: 4\n";
        var result = await KmctlWithInput(manifest, "apply", "-f", "-");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spec.template.backoffLimit", result.Err);
        Assert.Equal(1, (await Kmctl("get", "configmap", "e2e-good")).ExitCode);
    }

    [SkippableFact]
    public async Task CreateConfigMap_FromLiteralsAndFile_RoundTripsThroughYaml()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "line one\nline two\n");
        try
        {
            var created = await Kmctl("create", "configmap", "e2e-cm", "--from-literal=k1=v1", "--from-literal=k2=v2", $"--from-file=notes.txt={file}");
            Assert.Equal((0, "configmap/e2e-cm created\n"), Pick(created));
            Assert.Matches(@"^NAME     DATA   AGE\ne2e-cm   3      \d+s\n$", (await Kmctl("get", "cm", "e2e-cm")).Out);

            var yaml = (await Kmctl("get", "configmap", "e2e-cm", "-o", "yaml")).Out;
            Assert.Contains("notes.txt: |\n    line one\n    line two\n", yaml);
            Assert.Equal((0, "configmap/e2e-cm unchanged\n"), Pick(await KmctlWithInput(yaml, "apply", "-f", "-")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Run_CreatesPodLabelledRunName()
    {
        Assert.Equal((0, "pod/e2e-run created\n"), Pick(await Kmctl("run", "e2e-run", "--image", "busybox", "--", "sleep", "30")));
        Assert.Contains("run=e2e-run", (await Kmctl("get", "pod", "e2e-run", "--show-labels")).Out);
    }

    private static (int, string) Pick((int ExitCode, string Out, string Err) result) => (result.ExitCode, result.Out);
}
