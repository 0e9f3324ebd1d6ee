using System.Text.Json;
using KubeMesh.Scheduler.Results;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Integration;

/// <summary>
/// A pod that asks for its scheduling results gets every plugin's filter verdict and score per node written on it, in
/// kube-scheduler-simulator's annotations, by the scheduler running against a real api-server.
/// </summary>
public sealed class SchedulingResultsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [SkippableFact]
    public async Task PodAskingForResults_GetsEachPluginsVerdictAndScorePerNode()
    {
        await using var cluster = await SchedulerCluster.StartAsync(redis);
        await cluster.CreateNodesAsync(Node("small", cpu: "1"), Node("big-1", cpu: "4"), Node("big-2", cpu: "4"));
        var pod = Pod("explained", cpu: "1500m");
        pod.Metadata.Annotations[SchedulingResultsWriter.RequestAnnotation] = "true";
        await cluster.Pods.CreateAsync(pod);

        var bound = (await cluster.WaitForBindingAsync("explained")).Spec.NodeName;
        Assert.StartsWith("big-", bound, StringComparison.Ordinal);
        var annotations = await Eventually.Until(
            async () => (await cluster.Pods.GetAsync("default", "explained")).Metadata.Annotations,
            a => a.ContainsKey(SchedulingResults.BindKey),
            SchedulerCluster.Timeout,
            "the scheduling results on the pod");

        var filter = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(annotations[SchedulingResults.FilterKey])!;
        Assert.Contains("Insufficient cpu", filter["small"]["NodeResourcesFit"], StringComparison.Ordinal);
        Assert.All(filter["big-1"].Values.Concat(filter["big-2"].Values), verdict => Assert.Equal(SchedulingResults.Passed, verdict));
        Assert.Contains("NodeResourcesFit", filter["big-1"].Keys);

        // Only feasible nodes are scored, each by every score plugin.
        var score = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(annotations[SchedulingResults.ScoreKey])!;
        Assert.Equal(["big-1", "big-2"], score.Keys.Order());
        Assert.Contains("NodeResourcesLeastAllocated", score["big-1"].Keys);
        Assert.All(score.Values.SelectMany(s => s.Values), s => Assert.True(long.TryParse(s, out _), $"score {s} is a number"));
        Assert.Equal(bound, annotations[SchedulingResults.SelectedNodeKey]);
        Assert.Equal("""{"DefaultBinder":"success"}""", annotations[SchedulingResults.BindKey]);

        // A pod that does not ask is left as it was.
        await cluster.Pods.CreateAsync(Pod("quiet"));
        await cluster.WaitForBindingAsync("quiet");
        Assert.DoesNotContain((await cluster.Pods.GetAsync("default", "quiet")).Metadata.Annotations.Keys, k => k.StartsWith(SchedulingResults.Prefix, StringComparison.Ordinal));
    }
}
