using KubeMesh.Hosting;
using KubeMesh.Images;

// First, before any socket exists: a pod's socket completions and Kestrel's request processing run on the socket
// engine's threads, one per core, instead of being handed to thread-pool workers twice per request. A pod is the far
// end of every load test on a machine whose few cores it shares with the proxy in front of it; handed off, each
// request woke an idle worker that spun before sleeping again, and behind the ingress controller the four http-echo
// pods of bench/IngressLoadTest spent most of their CPU in context switches and sched_yield. Nothing on an image's
// request path blocks: its log lines go through ContainerLog.
InlineSocketCompletions.Prefer();
var exitCode = args.FirstOrDefault() switch
{
    "nginx" => await NginxImage.RunAsync(args[1..]),
    "http-echo" => await HttpEchoImage.RunAsync(args[1..]),
    "acmesolver" => await AcmeSolverImage.RunAsync(args[1..]),
    _ => Usage(),
};
ContainerLog.Stdout.Flush(TimeSpan.FromSeconds(5));
return exitCode;

static int Usage()
{
    Console.Error.WriteLine("usage: KubeMesh.Images nginx|http-echo|acmesolver [args...]");
    return 2;
}
