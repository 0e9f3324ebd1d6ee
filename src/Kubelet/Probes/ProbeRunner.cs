using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Probes;

/// <summary>
/// Runs one attempt of a probe (the kubelet's prober): httpGet against the pod IP (2xx and 3xx pass, redirects are
/// not followed), tcpSocket (a connect), exec in the container's own view through the runtime (exit 0 passes).
/// </summary>
public sealed class ProbeRunner(IContainerRuntime runtime) : IProbeRunner
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero });

    public async Task<ProbeResult> RunAsync(Probe probe, Container container, ContainerHandle handle, string podIp, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(probe.TimeoutSeconds > 0 ? probe.TimeoutSeconds : 1);
        if (probe.Exec is { } exec)
        {
            var result = await runtime.ExecAsync(handle, exec.Command, timeout, cancellationToken);
            return result.TimedOut
                ? ProbeResult.Fail($"command \"{string.Join(' ', exec.Command)}\" timed out")
                : result.ExitCode == 0 ? ProbeResult.Ok : ProbeResult.Fail(result.Output.TrimEnd());
        }

        if (probe.HttpGet is { } httpGet)
        {
            return await HttpAsync(httpGet, container, podIp, timeout, cancellationToken);
        }

        if (probe.TcpSocket is { } tcp)
        {
            return await TcpAsync(tcp, container, podIp, timeout, cancellationToken);
        }

        return ProbeResult.Fail("probe has no handler (exec, httpGet or tcpSocket)");
    }

    /// <summary>A port given as a number, or as the name of one of the container's ports.</summary>
    public static int ResolvePort(Value? port, Container container) => port?.KindCase switch
    {
        Value.KindOneofCase.NumberValue => (int)port.NumberValue,
        Value.KindOneofCase.StringValue when int.TryParse(port.StringValue, CultureInfo.InvariantCulture, out var number) => number,
        Value.KindOneofCase.StringValue => container.Ports.FirstOrDefault(p => p.Name == port.StringValue)?.ContainerPort_
            ?? throw new ArgumentException($"port \"{port.StringValue}\" is not a named port of container {container.Name}"),
        _ => throw new ArgumentException("port: Required value"),
    };

    private static async Task<ProbeResult> HttpAsync(HTTPGetAction action, Container container, string podIp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int port;
        try
        {
            port = ResolvePort(action.Port, container);
        }
        catch (ArgumentException e)
        {
            return ProbeResult.Fail(e.Message);
        }

        var scheme = string.IsNullOrEmpty(action.Scheme) ? "http" : action.Scheme.ToLowerInvariant();
        var host = string.IsNullOrEmpty(action.Host) ? podIp : action.Host;
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path.StartsWith('/') ? action.Path : "/" + action.Path;
        var url = $"{scheme}://{FormatHost(host)}:{port}{path}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd("kube-probe/1.30");
        foreach (var header in action.HttpHeaders)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400 ? ProbeResult.Ok : ProbeResult.Fail($"HTTP probe failed with statuscode: {code}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail($"Get \"{url}\": {e.InnerException?.Message ?? e.Message}");
        }
    }

    private static async Task<ProbeResult> TcpAsync(TCPSocketAction action, Container container, string podIp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int port;
        try
        {
            port = ResolvePort(action.Port, container);
        }
        catch (ArgumentException e)
        {
            return ProbeResult.Fail(e.Message);
        }

        var host = string.IsNullOrEmpty(action.Host) ? podIp : action.Host;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token);
            return ProbeResult.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"dial tcp {FormatHost(host)}:{port}: i/o timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail($"dial tcp {FormatHost(host)}:{port}: connect: {e.Message.ToLowerInvariant()}");
        }
    }

    private static string FormatHost(string host) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
