using KubeMesh.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace KubeMesh.IngressController.Extensions;

/// <summary>
/// How the proxy's sockets run their continuations. By default .NET hands every socket completion from the epoll
/// thread to a thread-pool worker, and Kestrel queues request processing once more; a proxied request crosses
/// threads several times. On the few cores this cluster runs on, those wake-ups and context switches cost as much
/// as the proxying itself (measured: 5.5k requests/s through the controller on one core, 11-14k inline). Inline,
/// the listeners' and the upstream connections' work runs on the socket engine threads (one per core), the way
/// nginx's workers run it: nothing on that path may block, and nothing in the controller's request path does. With
/// the epoll transport (the default on Linux, <c>Transport/</c>) this covers the HTTPS and health ports and
/// connections to pods named by DNS; the HTTP port and the other pod connections run on the controller's own loops.
/// <see cref="InlineSocketCompletions.Prefer"/> is called first in Main; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0
/// turns both off.
/// </summary>
public static class IngressTransport
{
    /// <summary>Kestrel's side: request processing on the thread that read the request, reads straight into a buffer.</summary>
    public static void Configure(SocketTransportOptions sockets)
    {
        sockets.UnsafePreferInlineScheduling = InlineSocketCompletions.Enabled;

        // Otherwise every read is first a zero-byte read, to allocate only once data is there: one more syscall per
        // request for a proxy whose connections are almost always busy.
        sockets.WaitForDataBeforeAllocatingBuffer = !InlineSocketCompletions.Enabled;
    }
}
