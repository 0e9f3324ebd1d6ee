using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>One call a controller made (client-go's testing.Action): verb, resource, subresource, namespace, name, the object sent.</summary>
public sealed record ApiAction(string Verb, ResourceKind Kind, string Subresource, string Namespace, string Name, IMessage? Object)
{
    public bool IsWrite => Verb is "create" or "update" or "delete";

    /// <summary>"create pods", "update replicasets/status ns/web": the name is left out of creates, which the server names.</summary>
    public override string ToString()
    {
        var resource = Subresource.Length > 0 ? $"{Kind.Plural}/{Subresource}" : Kind.Plural;
        return Verb == "create" ? $"{Verb} {resource}" : $"{Verb} {resource} {(Namespace.Length > 0 ? Namespace + "/" : "")}{Name}";
    }
}
