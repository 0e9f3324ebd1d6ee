using Grpc.Core;
using KubeMesh.Api.Security;

namespace KubeMesh.Client.Credentials;

/// <summary>
/// The client side of the api-server's TLS (<see cref="TlsClientAuthentication"/>), and a bearer token on every call.
/// </summary>
public static class ApiServerTls
{
    public static void Configure(SocketsHttpHandler handler, ApiServerConnection connection) =>
        TlsClientAuthentication.Apply(handler.SslOptions, connection.CertificateAuthority, connection.ClientCertificate);

    /// <summary>The channel credentials: TLS for https addresses, with the bearer token as call credentials when there is one.</summary>
    public static ChannelCredentials ChannelCredentials(bool https, ApiServerConnection connection)
    {
        if (!https)
        {
            return Grpc.Core.ChannelCredentials.Insecure;
        }

        if (connection.BearerToken is not { } token)
        {
            return Grpc.Core.ChannelCredentials.SecureSsl;
        }

        var header = "Bearer " + token;
        return Grpc.Core.ChannelCredentials.Create(Grpc.Core.ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", header);
            return Task.CompletedTask;
        }));
    }
}
