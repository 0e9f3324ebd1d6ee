using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers;

/// <summary>Reads and deletes where "already gone" is the wanted outcome, not an error.</summary>
internal static class ResourceClientExtensions
{
    public static async Task<T?> GetOrNullAsync<T>(this ResourceClient<T> client, string ns, string name, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return await client.GetAsync(ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes the object (dependents in the background, as kubectl does); false when it was already gone.</summary>
    public static async Task<bool> DeleteIfExistsAsync<T>(this ResourceClient<T> client, string ns, string name, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        try
        {
            await client.DeleteAsync(new DeleteRequest { Namespace = ns, Name = name, PropagationPolicy = "Background" }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }
}
