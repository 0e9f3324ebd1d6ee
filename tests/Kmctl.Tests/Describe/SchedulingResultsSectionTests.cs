using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Describe;
using static KubeMesh.Kmctl.Tests.Printing.TestObjects;

namespace KubeMesh.Kmctl.Tests.Describe;

public sealed class SchedulingResultsSectionTests
{
    // What the scheduler writes (tests/Scheduler.Tests SchedulingResultsTests), in kube-scheduler-simulator's format.
    private static Pod Recorded()
    {
        var pod = Pod("web-0", TimeSpan.FromMinutes(1), Running("web"));
        var a = pod.Metadata.Annotations;
        a["scheduler.kubemesh.io/record-results"] = "true";
        a["kube-scheduler-simulator.sigs.k8s.io/prefilter-result-status"] = "{}";
        a["kube-scheduler-simulator.sigs.k8s.io/filter-result"] =
            """{"node-1":{"NodeResourcesFit":"passed","TaintToleration":"passed"},"node-2":{"NodeResourcesFit":"passed","TaintToleration":"passed"},"node-3":{"NodeResourcesFit":"Insufficient cpu","TaintToleration":"passed"}}""";
        a["kube-scheduler-simulator.sigs.k8s.io/postfilter-result"] = "{}";
        a["kube-scheduler-simulator.sigs.k8s.io/score-result"] = """{"node-1":{"ImageLocality":"0","NodeResourcesFit":"40"},"node-2":{"ImageLocality":"0","NodeResourcesFit":"87"}}""";
        a["kube-scheduler-simulator.sigs.k8s.io/finalscore-result"] = """{"node-1":{"ImageLocality":"0","NodeResourcesFit":"40"},"node-2":{"ImageLocality":"0","NodeResourcesFit":"87"}}""";
        a["kube-scheduler-simulator.sigs.k8s.io/bind-result"] = """{"DefaultBinder":"success"}""";
        a["kube-scheduler-simulator.sigs.k8s.io/selected-node"] = "node-2";
        return pod;
    }

    [Fact]
    public void DescribePod_WithRecordedResults_ShowsEveryNodesVerdictBestFirst()
    {
        var text = ObjectDescriber.Describe(ResourceKinds.Pod, Recorded(), [], Now);

        var section = text[text.IndexOf("Scheduling Results:", StringComparison.Ordinal)..].Split('\n');
        Assert.Equal("Scheduling Results:", section[0]);
        Assert.Matches(@"^  Selected Node:\s+node-2$", section[1]);
        Assert.Matches(@"^  Bind:\s+DefaultBinder: success$", section[2]);
        Assert.Matches(@"^  Node\s+Filter\s+Score$", section[3]);
        Assert.Matches(@"^  node-2 \*\s+passed\s+87 \(ImageLocality 0, NodeResourcesFit 87\)$", section[4]);
        Assert.Matches(@"^  node-1\s+passed\s+40 \(ImageLocality 0, NodeResourcesFit 40\)$", section[5]);
        Assert.Matches(@"^  node-3\s+NodeResourcesFit: Insufficient cpu\s+-$", section[6]);

        // The JSON is shown once, as the section; the pod's own annotations stay.
        Assert.DoesNotContain("kube-scheduler-simulator.sigs.k8s.io", text, StringComparison.Ordinal);
        Assert.Contains("scheduler.kubemesh.io/record-results=true", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribePod_WithoutResults_HasNoSection()
    {
        var text = ObjectDescriber.Describe(ResourceKinds.Pod, Pod("web-0", TimeSpan.FromMinutes(1), Running("web")), [], Now);

        Assert.DoesNotContain("Scheduling Results", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribePod_WithResultsThatAreNotJson_SaysSoInsteadOfFailing()
    {
        var pod = Pod("web-0", TimeSpan.FromMinutes(1), Running("web"));
        pod.Metadata.Annotations["kube-scheduler-simulator.sigs.k8s.io/filter-result"] = "{not json";

        var text = ObjectDescriber.Describe(ResourceKinds.Pod, pod, [], Now);

        Assert.Contains("Unreadable:", text, StringComparison.Ordinal);
    }
}
