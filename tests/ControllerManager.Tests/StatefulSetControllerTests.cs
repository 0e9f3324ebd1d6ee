using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.StatefulSets;

namespace KubeMesh.ControllerManager.Tests;

public sealed class StatefulSetControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Sync_OrderedReady_CreatesPodsInOrderEachAfterThePreviousIsReady()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new StatefulSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(300));
        var creations = new List<string>();
        await api.Client.For<StatefulSet>().CreateAsync(NewStatefulSet(harness.Namespace, 3, "OrderedReady"));

        await Eventually.Until(async () =>
        {
            var pods = await ListPodsAsync(harness);
            foreach (var pod in pods.Where(p => !creations.Contains(p.Metadata.Name)))
            {
                // Every earlier ordinal must already be ready when a pod first appears.
                Assert.All(pods.Where(p => Ordinal(p) < Ordinal(pod)), p => Assert.True(Ready(p), $"{p.Metadata.Name} ready before {pod.Metadata.Name}"));
                creations.Add(pod.Metadata.Name);
            }

            return (await GetAsync(harness)).Status?.ReadyReplicas == 3;
        }, Timeout, "three replicas are ready");

        Assert.Equal(["web-0", "web-1", "web-2"], creations);
        var pods = await ListPodsAsync(harness);
        Assert.All(pods, p =>
        {
            Assert.Equal(p.Metadata.Name, p.Spec.Hostname);
            Assert.Equal("nginx", p.Spec.Subdomain);
            Assert.Equal(p.Metadata.Name, p.Metadata.Labels["statefulset.kubernetes.io/pod-name"]);
            Assert.Equal(Ordinal(p).ToString(System.Globalization.CultureInfo.InvariantCulture), p.Metadata.Labels["apps.kubernetes.io/pod-index"]);
            var volume = Assert.Single(p.Spec.Volumes, v => v.Name == "www");
            Assert.Equal($"www-web-{Ordinal(p)}", volume.PersistentVolumeClaim.ClaimName);
        });
        var claims = (await api.Client.For<PersistentVolumeClaim>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;
        Assert.Equal(["www-web-0", "www-web-1", "www-web-2"], claims.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(claims, c => Assert.Equal("nginx", c.Metadata.Labels["app"]));
        var status = (await GetAsync(harness)).Status;
        Assert.Equal((3, 3, 3, 3, 1L), (status.Replicas, status.ReadyReplicas, status.CurrentReplicas, status.UpdatedReplicas, status.ObservedGeneration));
        Assert.Equal(status.CurrentRevision, status.UpdateRevision);
        await Eventually.Until(async () => (await EventsAsync(harness)).Any(e => e.Reason == "SuccessfulCreate" && e.Message == "create Pod web-0 in StatefulSet web successful"), Timeout, "a SuccessfulCreate event in kube's words");
    }

    [SkippableFact]
    public async Task Sync_ScaleDownAndPodDeleted_RemovesHighestFirstKeepsClaimsAndReusesThem()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new StatefulSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100));
        var sets = api.Client.For<StatefulSet>();
        await sets.CreateAsync(NewStatefulSet(harness.Namespace, 3, "Parallel"));
        await Eventually.Until(async () => (await GetAsync(harness)).Status?.ReadyReplicas == 3, Timeout, "three replicas are ready");

        var set = await sets.GetAsync(harness.Namespace, "web");
        set.Spec.Replicas = 1;
        await sets.UpdateAsync(set);
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Select(p => p.Metadata.Name).SequenceEqual(["web-0"]), Timeout, "only web-0 remains");
        Assert.Equal(3, (await api.Client.For<PersistentVolumeClaim>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Count);

        var old = (await ListPodsAsync(harness))[0];
        await api.Client.For<Pod>().DeleteAsync(harness.Namespace, "web-0");

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Any(p => p.Metadata.Name == "web-0" && p.Metadata.Uid != old.Metadata.Uid), Timeout, "web-0 is recreated");
        var recreated = (await ListPodsAsync(harness)).Single();
        Assert.Equal("www-web-0", recreated.Spec.Volumes.Single(v => v.Name == "www").PersistentVolumeClaim.ClaimName);
        Assert.Equal(3, (await api.Client.For<PersistentVolumeClaim>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Count);
    }

    [SkippableFact]
    public async Task Sync_TemplateChanged_RollsFromHighestOrdinalOneAtATime()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new StatefulSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(200));
        var sets = api.Client.For<StatefulSet>();
        await sets.CreateAsync(NewStatefulSet(harness.Namespace, 3, "OrderedReady"));
        await Eventually.Until(async () => (await GetAsync(harness)).Status?.ReadyReplicas == 3, Timeout, "three replicas are ready");
        var oldRevision = (await GetAsync(harness)).Status.CurrentRevision;
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        await recorder.Started;

        var set = await sets.GetAsync(harness.Namespace, "web");
        set.Spec.Template.Spec.Containers[0].Image = "nginx:1.27";
        await sets.UpdateAsync(set);

        await Eventually.Until(async () =>
        {
            var status = (await GetAsync(harness)).Status;
            return status.ObservedGeneration == 2 && status.UpdatedReplicas == 3 && status.ReadyReplicas == 3 && status.CurrentRevision == status.UpdateRevision;
        }, Timeout, "every pod runs the new revision");

        // The watch's order of creations, not a poll's: two replacements landing between two polls would be listed by name.
        Assert.Equal(["web-2", "web-1", "web-0"], recorder.Added.Select(a => a.Name));
        var updateRevision = (await GetAsync(harness)).Status.UpdateRevision;
        Assert.NotEqual(oldRevision, updateRevision);
        Assert.All(await ListPodsAsync(harness), p => Assert.Equal(updateRevision, p.Metadata.Labels["controller-revision-hash"]));
        Assert.True(recorder.States.All(s => s.Ready >= 2), "at most one pod down during the rollout");

        // The history kubectl rollout history|undo read: one ControllerRevision per template, named as the pods' label.
        var revisions = (await api.Client.For<ControllerRevision>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;
        Assert.Equal([(oldRevision, 1L), (updateRevision, 2L)], revisions.OrderBy(r => r.Revision).Select(r => (r.Metadata.Name, r.Revision)));
        Assert.All(revisions, r => Assert.Equal(set.Metadata.Uid, Assert.Single(r.Metadata.OwnerReferences).Uid));
        Assert.Equal("nginx:1.27", revisions.Single(r => r.Revision == 2).Data.Fields["spec"].StructValue.Fields["template"].StructValue
            .Fields["spec"].StructValue.Fields["containers"].ListValue.Values[0].StructValue.Fields["image"].StringValue);
    }

    private static StatefulSet NewStatefulSet(string ns, int replicas, string policy)
    {
        var template = TestObjects.Template("nginx");
        template.Spec.Containers[0].VolumeMounts.Add(new VolumeMount { Name = "www", MountPath = "/usr/share/nginx/html" });
        return new StatefulSet
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "web" },
            Spec = new StatefulSetSpec
            {
                Replicas = replicas,
                ServiceName = "nginx",
                PodManagementPolicy = policy,
                Selector = new LabelSelector { MatchLabels = { ["app"] = "nginx" } },
                Template = template,
                VolumeClaimTemplates =
                {
                    new PersistentVolumeClaim
                    {
                        Metadata = new ObjectMeta { Name = "www" },
                        Spec = new PersistentVolumeClaimSpec { AccessModes = { "ReadWriteOnce" }, Resources = new ResourceRequirements { Requests = { ["storage"] = "1Gi" } } },
                    },
                },
            },
        };
    }

    private static int Ordinal(Pod pod) => int.Parse(pod.Metadata.Name["web-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static bool Ready(Pod pod) => pod.Status.Phase == "Running" && pod.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    private static Task<StatefulSet> GetAsync(ControllerHarness harness) =>
        harness.Client.For<StatefulSet>().GetAsync(harness.Namespace, "web");

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    private static async Task<IReadOnlyList<Event>> EventsAsync(ControllerHarness harness) =>
        (await harness.Client.For<Event>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;
}
