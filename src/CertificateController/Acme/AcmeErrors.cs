using System.Net.Sockets;

namespace KubeMesh.CertificateController.Acme;

/// <summary>Short, readable causes of failed ACME calls for conditions and events (a refused connection, a problem document).</summary>
public static class AcmeErrors
{
    public static string Describe(Exception e) => e switch
    {
        AcmeException acme => acme.Message,
        HttpRequestException { InnerException: SocketException socket } http => $"{http.Message.TrimEnd('.')}: {socket.SocketErrorCode}",
        HttpRequestException { InnerException: { } inner } http => $"{http.Message.TrimEnd('.')}: {inner.Message}",
        TaskCanceledException => "the ACME server did not answer within 30 s",
        _ => e.Message,
    };
}
