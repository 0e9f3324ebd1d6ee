namespace KubeMesh.AppHost;

/// <summary>Marks a resource the <see cref="ComponentSupervisor"/> starts again whenever it exits without being asked to stop.</summary>
public sealed record RestartOnExitAnnotation(RestartBackOff BackOff) : IResourceAnnotation;
