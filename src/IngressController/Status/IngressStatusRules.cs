using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Configuration;

namespace KubeMesh.IngressController.Status;

/// <summary>What an ingress's status.loadBalancer should say, given whether this controller serves it.</summary>
internal static class IngressStatusRules
{
    /// <summary>
    /// The status to write, or null when the current one is already right. An ingress of another class is
    /// cleared only when it carries exactly this controller's address: another controller's address is not ours
    /// to remove.
    /// </summary>
    public static IngressLoadBalancerStatus? Desired(Ingress ingress, string className, string address)
    {
        var current = ingress.Status?.LoadBalancer?.Ingress;
        var isOurs = current is { Count: 1 } && current[0].Ip == address && current[0].Hostname.Length == 0;
        if (IngressClass.IsHandled(ingress, className))
        {
            return isOurs ? null : new IngressLoadBalancerStatus { Ingress = { new IngressLoadBalancerIngress { Ip = address } } };
        }

        return isOurs ? new IngressLoadBalancerStatus() : null;
    }
}
