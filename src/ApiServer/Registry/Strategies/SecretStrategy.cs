using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>stringData is write-only: merged into data (winning over it) and never stored.</summary>
public sealed class SecretStrategy() : ResourceStrategy(ResourceKinds.Secret)
{
    public override void PrepareForCreate(IMessage obj) => MergeStringData((Secret)obj);

    public override void PrepareForUpdate(IMessage updated, IMessage old) => MergeStringData((Secret)updated);

    private static void MergeStringData(Secret secret)
    {
        foreach (var (key, value) in secret.StringData)
        {
            secret.Data[key] = ByteString.CopyFromUtf8(value);
        }

        secret.StringData.Clear();
    }
}
