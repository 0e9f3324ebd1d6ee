using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Printing;
using static KubeMesh.Kmctl.Tests.Printing.TestObjects;

namespace KubeMesh.Kmctl.Tests.Printing;

public sealed class TablePrinterTests
{
    [Fact]
    public void Print_Pods_AlignsColumnsLikeKubectl()
    {
        var nginx = Pod("nginx", TimeSpan.FromSeconds(200), Running("nginx"));
        var crashing = Pod("liveness-fails", TimeSpan.FromHours(51), Waiting("app", "CrashLoopBackOff"));
        var text = TablePrinter.Print(ResourceKinds.Pod, [nginx, crashing], new TableOptions(), Now);
        Assert.Equal(
            "NAME             READY   STATUS             RESTARTS   AGE\n" +
            "nginx            1/1     Running            0          3m20s\n" +
            "liveness-fails   0/1     CrashLoopBackOff   0          2d3h\n",
            text);
    }

    [Fact]
    public void Print_PodsWide_AddsIpNodeNominatedNodeAndReadinessGates()
    {
        var pod = Pod("nginx", TimeSpan.FromSeconds(5), Running("nginx"));
        pod.Status.PodIps.Add(new PodIP { Ip = "10.244.1.5" });
        pod.Spec.NodeName = "node1";
        var text = TablePrinter.Print(ResourceKinds.Pod, [pod], new TableOptions(Wide: true), Now);
        Assert.Equal(
            "NAME    READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES\n" +
            "nginx   1/1     Running   0          5s    10.244.1.5   node1   <none>           <none>\n",
            text);
    }

    [Fact]
    public void Print_LabelColumnsAndShowLabels_AppendsColumns()
    {
        var pod = Pod("nginx", TimeSpan.FromSeconds(5), Running("nginx"));
        pod.Metadata.Labels.Add(new Dictionary<string, string> { ["run"] = "nginx", ["app"] = "web" });
        var text = TablePrinter.Print(ResourceKinds.Pod, [pod], new TableOptions(ShowLabels: true, LabelColumns: ["run", "missing"]), Now);
        Assert.Equal(
            "NAME    READY   STATUS    RESTARTS   AGE   RUN     MISSING   LABELS\n" +
            "nginx   1/1     Running   0          5s    nginx             app=web,run=nginx\n",
            text);
    }

    [Fact]
    public void Print_Services_FormatsTypesPortsAndExternalIps()
    {
        Service Svc(string name, string type, int port, int nodePort = 0, string lbIp = "")
        {
            var svc = new Service
            {
                Metadata = new ObjectMeta { Name = name, CreationTimestamp = Ago(TimeSpan.FromMinutes(2)) },
                Spec = new ServiceSpec { Type = type, ClusterIp = "10.96.0.10", Ports = { new ServicePort { Port = port, NodePort = nodePort, Protocol = "TCP" } } },
                Status = new ServiceStatus { LoadBalancer = new LoadBalancerStatus() },
            };
            if (lbIp.Length > 0)
            {
                svc.Status.LoadBalancer.Ingress.Add(new LoadBalancerIngress { Ip = lbIp });
            }

            return svc;
        }

        var text = TablePrinter.Print(ResourceKinds.Service,
            [Svc("ex-svc", "ClusterIP", 8080), Svc("np", "NodePort", 8080, 30080), Svc("lb", "LoadBalancer", 80, 31000), Svc("lb2", "LoadBalancer", 80, 31001, "127.0.0.50")],
            new TableOptions(), Now);
        Assert.Equal(
            "NAME     TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)          AGE\n" +
            "ex-svc   ClusterIP      10.96.0.10   <none>        8080/TCP         2m\n" +
            "np       NodePort       10.96.0.10   <none>        8080:30080/TCP   2m\n" +
            "lb       LoadBalancer   10.96.0.10   <pending>     80:31000/TCP     2m\n" +
            "lb2      LoadBalancer   10.96.0.10   127.0.0.50    80:31001/TCP     2m\n",
            text);
    }

    [Fact]
    public void Print_CompletedJob_ShowsStatusCompletionsAndDuration()
    {
        var job = new Job
        {
            Metadata = new ObjectMeta { Name = "pi", CreationTimestamp = Ago(TimeSpan.FromMinutes(1)) },
            Spec = new JobSpec { Completions = 1 },
            Status = new JobStatus
            {
                Succeeded = 1,
                StartTime = Ago(TimeSpan.FromSeconds(60)),
                CompletionTime = Ago(TimeSpan.FromSeconds(28)),
                Conditions = { new Condition { Type = "Complete", Status = "True" } },
            },
        };
        Assert.Equal(
            "NAME   STATUS     COMPLETIONS   DURATION   AGE\n" +
            "pi     Complete   1/1           32s        60s\n",
            TablePrinter.Print(ResourceKinds.Job, [job], new TableOptions(), Now));
    }

    [Fact]
    public void Print_WithNamespaceAndKind_PrefixesNamespaceAndQualifiesName()
    {
        var deployment = new KubeMesh.Api.Apps.V1.Deployment
        {
            Metadata = new ObjectMeta { Name = "web", Namespace = "prod", CreationTimestamp = Ago(TimeSpan.FromDays(3)) },
            Spec = new KubeMesh.Api.Apps.V1.DeploymentSpec { Replicas = 3 },
            Status = new KubeMesh.Api.Apps.V1.DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 },
        };
        Assert.Equal(
            "NAMESPACE   NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n" +
            "prod        deployment.apps/web   2/3     3            2           3d\n",
            TablePrinter.Print(ResourceKinds.Deployment, [deployment], new TableOptions(WithNamespace: true, WithKind: true), Now));
    }

    [Fact]
    public void Print_Events_ShowsLastSeenTypeReasonObjectMessage()
    {
        var ev = new Event
        {
            Metadata = new ObjectMeta { Name = "web.1" },
            InvolvedObject = new ObjectReference { Kind = "Pod", Name = "web" },
            Reason = "BackOff",
            Message = "Back-off restarting failed container",
            Type = "Warning",
            Count = 4,
            FirstTimestamp = Ago(TimeSpan.FromMinutes(10)),
            LastTimestamp = Ago(TimeSpan.FromSeconds(30)),
        };
        Assert.Equal(
            "LAST SEEN           TYPE      REASON    OBJECT    MESSAGE\n" +
            "30s (x4 over 10m)   Warning   BackOff   pod/web   Back-off restarting failed container\n",
            TablePrinter.Print(ResourceKinds.Event, [(IMessage)ev], new TableOptions(), Now));
    }
}
