using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace KubeMesh.AppHost;

/// <summary>
/// Components that come back: as systemd (Restart=always) or the kubelet (static control-plane pods) restart a process
/// that exited or was killed, with back-off. A resource stopped on purpose (the dashboard's Stop, the AppHost shutting
/// down) stays stopped.
/// </summary>
public static class RestartOnExitExtensions
{
    /// <summary>Supervises one resource.</summary>
    public static IResourceBuilder<T> WithRestartOnExit<T>(this IResourceBuilder<T> builder, RestartBackOff? backOff = null)
        where T : IResource
    {
        builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ComponentSupervisor>());
        return builder.WithAnnotation(new RestartOnExitAnnotation(backOff ?? RestartBackOff.Default), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>Supervises every process the AppHost runs: projects, executables and containers (the dashboard excepted).</summary>
    public static IDistributedApplicationBuilder RestartComponentsOnExit(this IDistributedApplicationBuilder builder, RestartBackOff? backOff = null)
    {
        foreach (var resource in builder.Resources.Where(r => r is ProjectResource or ExecutableResource or ContainerResource).ToArray())
        {
            builder.CreateResourceBuilder(resource).WithRestartOnExit(backOff);
        }

        return builder;
    }
}
