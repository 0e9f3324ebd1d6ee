namespace KubeMesh.ApiServer.Rest.Discovery;

/// <summary>A subresource as discovery lists it: pods/log answers a Pod's text, deployments/scale an autoscaling/v1 Scale.</summary>
public sealed record Subresource(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs);
