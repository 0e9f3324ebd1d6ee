using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;

namespace KubeMesh.ApiServer.Registry;

/// <summary>What a List or Watch asks for: a namespace (or all), a label selector and a field selector.</summary>
public sealed class ObjectFilter
{
    private ObjectFilter(string ns, LabelSelectorExpression labels, FieldSelector fields)
    {
        Namespace = ns;
        Labels = labels;
        Fields = fields;
    }

    public static ObjectFilter All { get; } = new("", LabelSelectorExpression.Everything, FieldSelector.Everything);

    public string Namespace { get; }

    public LabelSelectorExpression Labels { get; }

    public FieldSelector Fields { get; }

    public static ObjectFilter From(ResourceKind kind, ListRequest request) =>
        Create(kind, request.Namespace, request.LabelSelector, request.FieldSelector);

    public static ObjectFilter From(ResourceKind kind, WatchRequest request) =>
        Create(kind, request.Namespace, request.LabelSelector, request.FieldSelector);

    public bool Matches(ResourceKind kind, IMessage obj)
    {
        var meta = kind.Metadata(obj);
        return (Namespace.Length == 0 || !kind.Namespaced || meta.Namespace == Namespace)
            && Labels.Matches(meta.Labels)
            && Fields.Matches(kind, obj);
    }

    private static ObjectFilter Create(ResourceKind kind, string ns, string labelSelector, string fieldSelector)
    {
        try
        {
            return new ObjectFilter(
                kind.Namespaced ? ns : "",
                LabelSelectorExpression.Parse(labelSelector),
                FieldSelector.Parse(fieldSelector, kind));
        }
        catch (FormatException ex)
        {
            throw ApiErrors.BadRequest(ex.Message);
        }
    }
}
