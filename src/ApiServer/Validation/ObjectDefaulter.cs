using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Validation;

public static class ObjectDefaulter
{
    public static void Apply(ResourceKind kind, IMessage obj)
    {
    }
}
