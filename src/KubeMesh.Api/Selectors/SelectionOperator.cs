namespace KubeMesh.Api.Selectors;

/// <summary>The operators a label selector requirement can use, as in k8s.io/apimachinery/pkg/selection.</summary>
public enum SelectionOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}
