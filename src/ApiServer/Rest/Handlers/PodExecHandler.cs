using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.ApiServer.Services;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// pods/exec over a WebSocket with the remote command subprotocol v5.channel.k8s.io (v4 also): binary messages whose
/// first byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal resize), and in v5 the
/// message [255, 0] closing stdin (kubectl exec -i at the end of its input). The exit code goes on channel 3 as
/// kubectl reads it: Success, or Failure with reason NonZeroExitCode and an ExitCode cause. Without a WebSocket
/// upgrade the answer is 400, since SPDY is not served.
/// </summary>
public sealed class PodExecHandler(KubeletProxy kubelets)
{
    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte ErrorChannel = 3;
    private const byte CloseSignal = 255;
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
    private static readonly TimeSpan FirstOutputHold = TimeSpan.FromMilliseconds(100);

    public async Task ExecAsync(HttpContext context, ResourceRequest request)
    {
        var query = context.Request.Query;
        var stdin = RequestInfoResolver.IsTrue(query["stdin"]);
        var stdout = RequestInfoResolver.IsTrue(query["stdout"]);
        var tty = RequestInfoResolver.IsTrue(query["tty"]);
        var stderr = RequestInfoResolver.IsTrue(query["stderr"]) && !tty;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw RestException.BadRequest("pods/exec is served over WebSockets only (subprotocol v5.channel.k8s.io, kubectl 1.30 or newer); SPDY is not supported");
        }

        var protocol = Protocols.FirstOrDefault(p => context.WebSockets.WebSocketRequestedProtocols.Contains(p))
            ?? throw RestException.BadRequest($"none of the offered subprotocols is served; use one of: {string.Join(", ", Protocols)}");
        if (!stdin && !stdout && !stderr)
        {
            throw RestException.BadRequest("you must specify at least one of stdin, stdout, stderr");
        }

        var execRequest = new PodExecRequest { Namespace = request.Namespace, Name = request.Name, Container = query["container"].ToString() };
        execRequest.Command.Add(query["command"].Where(c => c is not null).Select(c => c!));
        // Everything that can be refused is refused here, as an HTTP error, before the upgrade.
        var prepared = await kubelets.PrepareExecAsync(execRequest);

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol });
        var upgraded = TimeProvider.System.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        AsyncDuplexStreamingCall<ExecInput, PodExecOutput>? call = null;
        var input = Task.CompletedTask;
        JsonObject status;
        try
        {
            // The command starts only now that the client has the upgrade, so its first output does not race the
            // client setting up its streams.
            call = await prepared.StartAsync(stop.Token);
            if (!stdin)
            {
                await call.RequestStream.CompleteAsync();
            }

            input = ReadInputAsync(socket, call, stdin, stop.Token);
            status = await WriteOutputAsync(socket, call.ResponseStream, stdout, stderr, tty, execRequest, upgraded, stop.Token);
        }
        catch (RpcException ex) when (!stop.IsCancellationRequested)
        {
            status = Failure(StatusErrors.From(ex)["message"]!.GetValue<string>(), StatusErrors.Map(ex.StatusCode).Reason);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            call?.Dispose();
            return;
        }

        try
        {
            await SendAsync(socket, ErrorChannel, System.Text.Encoding.UTF8.GetBytes(status.ToJsonString()), stop.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", stop.Token);
            // Give the client a moment to answer the close; its stdin reader ends with it.
            await input.WaitAsync(TimeSpan.FromSeconds(5), stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or TimeoutException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            call?.Dispose();
        }
    }

    private static async Task<JsonObject> WriteOutputAsync(
        WebSocket socket, IAsyncStreamReader<PodExecOutput> output, bool stdout, bool stderr, bool tty, PodExecRequest request, long upgraded, CancellationToken ct)
    {
        var held = true;
        while (await output.MoveNext(ct))
        {
            var chunk = output.Current;
            if (held)
            {
                // client-go reads the socket before it has made its stream readers, and drops a message for a channel
                // it has no reader for yet ("Unknown stream id"): hold the first output until it has had time to.
                var wait = FirstOutputHold - TimeProvider.System.GetElapsedTime(upgraded);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                held = false;
            }

            if (!chunk.Stdout.IsEmpty && stdout)
            {
                await SendAsync(socket, StdoutChannel, chunk.Stdout.Memory, ct);
            }

            if (!chunk.Stderr.IsEmpty && (stderr || (tty && stdout)))
            {
                // With a terminal there is one output stream, as a tty merges them.
                await SendAsync(socket, tty ? StdoutChannel : StderrChannel, chunk.Stderr.Memory, ct);
            }

            if (chunk.HasExitCode)
            {
                return chunk.ExitCode == 0 ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" } : NonZeroExit(request, chunk.ExitCode);
            }
        }

        return Failure("the command ended without an exit code", "InternalError");
    }

    /// <summary>Stdin (channel 0) goes to the command; [255, 0] or the socket closing closes it; resize (4) has no terminal to act on.</summary>
    private static async Task ReadInputAsync(WebSocket socket, AsyncDuplexStreamingCall<ExecInput, PodExecOutput> call, bool stdin, CancellationToken ct)
    {
        var open = stdin;
        var buffer = new byte[32 * 1024];
        try
        {
            int? channel = null;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var data = buffer.AsMemory(0, result.Count);
                if (channel is null && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                    if (channel == CloseSignal && data.Length > 0 && data.Span[0] == StdinChannel && open)
                    {
                        open = false;
                        await call.RequestStream.CompleteAsync();
                    }
                }

                if (channel == StdinChannel && open && data.Length > 0)
                {
                    await call.RequestStream.WriteAsync(new ExecInput { Stdin = ByteString.CopyFrom(data.Span) }, ct);
                }

                if (result.EndOfMessage)
                {
                    channel = null;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or RpcException or InvalidOperationException)
        {
        }
        finally
        {
            if (open)
            {
                try
                {
                    await call.RequestStream.CompleteAsync();
                }
                catch (Exception ex) when (ex is RpcException or InvalidOperationException)
                {
                }
            }
        }
    }

    private static async Task SendAsync(WebSocket socket, byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var message = new byte[data.Length + 1];
        message[0] = channel;
        data.CopyTo(message.AsMemory(1));
        await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    private static JsonObject NonZeroExit(PodExecRequest request, int exitCode) => new()
    {
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", request.Command)}], exit code {exitCode}",
        ["reason"] = "NonZeroExitCode",
        ["details"] = new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        },
    };

    private static JsonObject Failure(string message, string reason) =>
        new() { ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = reason };
}
