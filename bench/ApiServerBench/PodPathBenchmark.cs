using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Services;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.Bench.ApiServer;

/// <summary>
/// The calls a pod costs the api-server at scale, one verb at a time over gRPC: create, pods/binding, a status write
/// (Running), event creates, and an update that changes nothing (which must store nothing). Prints the CPU this
/// process (the in-process api-server and its gRPC client) spends per call, read from the kernel's accounting;
/// the client's share is the same in every run, so two runs side by side show what the server saved. The same
/// writes are then made on the registry directly ("registry ..."), without gRPC, to see the write path alone.
/// </summary>
public sealed class PodPathBenchmark(BenchOptions options, InProcessApiServer api)
{
    private const string Namespace = "podpath";
    private readonly PodService.PodServiceClient _pods = new(api.Channel);
    private readonly EventService.EventServiceClient _events = new(api.Channel);

    public async Task RunAsync(TextWriter output)
    {
        await new NamespaceService.NamespaceServiceClient(api.Channel).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });
        await new ServiceAccountService.ServiceAccountServiceClient(api.Channel).CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Namespace = Namespace, Name = "default" } });
        var pods = options.PodPath;
        // A first, unmeasured round warms the JIT and the connection pools.
        await RoundAsync("warm", Math.Min(pods, 500), null);
        var rounds = new Dictionary<string, List<double>>();
        for (var round = 0; round < 3; round++)
        {
            await RoundAsync($"r{round}", pods, rounds);
        }

        await RegistryRoundAsync("rwarm", Math.Min(pods, 500), null);
        for (var round = 0; round < 3; round++)
        {
            await RegistryRoundAsync($"rr{round}", pods, rounds);
        }

        output.WriteLine($"pod path: {pods} pods a round, concurrency {options.Concurrency}, 3 rounds; CPU-µs per call of the bench process (api-server + gRPC client), median of rounds");
        foreach (var (verb, samples) in rounds)
        {
            samples.Sort();
            output.WriteLine($"  {verb,-22} {samples[1],8:F0} µs   (rounds: {string.Join(", ", samples.Select(s => s.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})");
        }
    }

    private async Task RoundAsync(string prefix, int count, Dictionary<string, List<double>>? results)
    {
        var created = new Pod[count];
        var bound = new Pod[count];
        await MeasureAsync("create", count, results, async i => created[i] = await _pods.CreateAsync(NewPod($"{prefix}-{i}")));
        await MeasureAsync("bind", count, results, async i => bound[i] = await _pods.BindAsync(new Binding
        {
            Metadata = new ObjectMeta { Namespace = Namespace, Name = created[i].Metadata.Name },
            Target = new ObjectReference { Kind = "Node", Name = $"hollow-{i % 1000}" },
        }));
        await MeasureAsync("update status", count, results, async i =>
        {
            var pod = bound[i].Clone();
            pod.Status.Phase = "Running";
            pod.Status.PodIp = "10.0.0.1";
            pod.Status.StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            pod.Status.Conditions.Add(new Condition { Type = "Ready", Status = "True", LastTransitionTime = pod.Status.StartTime });
            bound[i] = await _pods.UpdateStatusAsync(pod);
        });
        await MeasureAsync("update (no-op)", count, results, async i =>
        {
            var same = await _pods.UpdateAsync(bound[i]);
            if (same.Metadata.ResourceVersion != bound[i].Metadata.ResourceVersion)
            {
                throw new InvalidOperationException($"a no-op update of {same.Metadata.Name} stored a new revision");
            }
        });
        await MeasureAsync("update (labels)", count, results, async i =>
        {
            var pod = bound[i].Clone();
            pod.Metadata.Labels["round"] = prefix;
            await _pods.UpdateAsync(pod);
        });
        await MeasureAsync("event create", count, results, i => _events.CreateAsync(new Event
        {
            Metadata = new ObjectMeta { Namespace = Namespace, Name = $"{created[i].Metadata.Name}.{i:x}" },
            InvolvedObject = new ObjectReference { Kind = "Pod", Namespace = Namespace, Name = created[i].Metadata.Name, Uid = created[i].Metadata.Uid },
            Reason = "Scheduled",
            Message = $"Successfully assigned {Namespace}/{created[i].Metadata.Name} to hollow-{i % 1000}",
            Type = "Normal",
            Source = new EventSource { Component = "default-scheduler" },
            Count = 1,
            FirstTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            LastTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        }).ResponseAsync);
    }

    private async Task RegistryRoundAsync(string prefix, int count, Dictionary<string, List<double>>? results)
    {
        var registry = api.Services.GetRequiredService<ResourceRegistry>();
        var bindings = api.Services.GetRequiredService<PodSubresourceApi>();
        var kind = ResourceKinds.Pod;
        var bound = new Pod[count];
        await MeasureAsync("registry create", count, results, i => registry.CreateAsync(kind, NewPod($"{prefix}-{i}")));
        await MeasureAsync("registry bind", count, results, async i => bound[i] = (Pod)await bindings.BindAsync(new Binding
        {
            Metadata = new ObjectMeta { Namespace = Namespace, Name = $"{prefix}-{i}" },
            Target = new ObjectReference { Kind = "Node", Name = $"hollow-{i % 1000}" },
        }));
        await MeasureAsync("registry update status", count, results, async i =>
        {
            var pod = bound[i].Clone();
            pod.Status.Phase = "Running";
            pod.Status.PodIp = "10.0.0.1";
            bound[i] = (Pod)await registry.UpdateStatusAsync(kind, pod);
        });
        await MeasureAsync("registry update (no-op)", count, results, i => registry.UpdateAsync(kind, bound[i]));
    }

    private async Task MeasureAsync(string verb, int count, Dictionary<string, List<double>>? results, Func<int, Task> call)
    {
        var next = -1;
        using var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await call(i);
            }
        })));
        self.Refresh();
        if (results is not null)
        {
            var perCall = (self.TotalProcessorTime - before).TotalMicroseconds / count;
            (results.TryGetValue(verb, out var list) ? list : results[verb] = []).Add(perCall);
        }
    }

    private static Pod NewPod(string name) => new()
    {
        Metadata = new ObjectMeta { Namespace = Namespace, Name = name, Labels = { ["app"] = "podpath" } },
        Spec = new PodSpec
        {
            Containers = { new Container { Name = "app", Image = "registry.local/app:1", Resources = new ResourceRequirements { Requests = { ["cpu"] = "100m", ["memory"] = "64Mi" } } } },
            NodeSelector = { ["kubemesh.io/hollow"] = "true" },
        },
    };
}
