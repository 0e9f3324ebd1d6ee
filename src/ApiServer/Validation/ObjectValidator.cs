using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

public sealed class ObjectValidator
{
    public IReadOnlyList<FieldError> ValidateCreate(ResourceKind kind, IMessage obj) => [];

    public IReadOnlyList<FieldError> ValidateUpdate(ResourceKind kind, IMessage updated, IMessage old) => [];
}
