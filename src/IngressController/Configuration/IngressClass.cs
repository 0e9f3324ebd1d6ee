using KubeMesh.Api.Networking.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>Which ingresses this controller serves: its class by annotation or spec.ingressClassName, or no class.</summary>
internal static class IngressClass
{
    public const string Annotation = "kubernetes.io/ingress.class";

    public static bool IsHandled(Ingress ingress, string className)
    {
        // The legacy annotation wins over the field, as in ingress-nginx.
        if (ingress.Metadata?.Annotations.TryGetValue(Annotation, out var annotated) == true && annotated.Length > 0)
        {
            return annotated == className;
        }

        return ingress.Spec is not { HasIngressClassName: true } spec
            || spec.IngressClassName.Length == 0
            || spec.IngressClassName == className;
    }
}
