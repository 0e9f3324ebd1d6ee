using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// Learns of every write this api-server stores, at its revision, before the write is answered (null: removed), so
/// that caches of this api-server read their own writes without waiting for the watch feed.
/// </summary>
public interface IStoredObserver
{
    void AfterStored(ResourceKind kind, ObjectKey key, long revision, IMessage? written);
}
