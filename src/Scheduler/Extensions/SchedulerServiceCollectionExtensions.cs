using KubeMesh.Client;
using KubeMesh.Scheduler.Cache;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Metrics;
using KubeMesh.Scheduler.Plugins.DefaultBinder;
using KubeMesh.Scheduler.Plugins.NodeAffinity;
using KubeMesh.Scheduler.Plugins.NodeName;
using KubeMesh.Scheduler.Plugins.NodePorts;
using KubeMesh.Scheduler.Plugins.NodeReady;
using KubeMesh.Scheduler.Plugins.NodeResourcesBalancedAllocation;
using KubeMesh.Scheduler.Plugins.NodeResourcesFit;
using KubeMesh.Scheduler.Plugins.NodeResourcesLeastAllocated;
using KubeMesh.Scheduler.Plugins.NodeUnschedulable;
using KubeMesh.Scheduler.Plugins.SelectorSpread;
using KubeMesh.Scheduler.Plugins.TaintToleration;
using KubeMesh.Scheduler.Queue;
using KubeMesh.Scheduler.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler.Extensions;

public static class SchedulerServiceCollectionExtensions
{
    /// <summary>
    /// The default profile, in kube-scheduler's order: cheap node-only filters first, so most rejections cost little
    /// and the reason reported for a node is the most basic one. Score weights follow kube-scheduler's defaults
    /// (spreading counts double, as PodTopologySpread does there).
    /// </summary>
    public static IReadOnlyList<IFilterPlugin> DefaultFilters() =>
    [
        new NodeUnschedulable(),
        new NodeName(),
        new NodeReady(),
        new TaintToleration(),
        new NodeAffinity(),
        new NodePorts(),
        new NodeResourcesFit(),
    ];

    public static IReadOnlyList<WeightedScorePlugin> DefaultScores() =>
    [
        new(new NodeResourcesLeastAllocated(), 1),
        new(new NodeResourcesBalancedAllocation(), 1),
        new(new SelectorSpread(), 2),
    ];

    /// <summary>
    /// The scheduler as a hosted service, with its cache, queue, default plugins and a /readyz check that passes once
    /// its informers have synced. Needs a <see cref="KubeMeshClient"/> registered (AddKubeMeshClient).
    /// </summary>
    public static TBuilder AddScheduler<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<SchedulerOptions>().Bind(builder.Configuration.GetSection(SchedulerOptions.Section));
        services.AddKubeMeshEventRecorder(SchedulerOptions.DefaultSchedulerName);
        services.AddSingleton<SchedulerCache>();
        services.AddSingleton(sp => new SchedulingQueue(sp.GetRequiredService<IOptions<SchedulerOptions>>()));
        services.AddSingleton(sp => new SchedulingFramework(
            DefaultFilters(),
            DefaultScores(),
            new DefaultBinder(sp.GetRequiredService<KubeMeshClient>()),
            sp.GetRequiredService<ILogger<SchedulingFramework>>()));
        services.AddSingleton(sp => new PodScheduler(
            sp.GetRequiredService<SchedulingFramework>(), percentageOfNodesToScore: sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.PercentageOfNodesToScore));
        services.AddSingleton<SchedulerEventHandlers>();
        services.AddSingleton(sp => new UnschedulableReporter(
            sp.GetRequiredService<KubeMeshClient>(),
            sp.GetRequiredService<EventRecorder>(),
            sp.GetRequiredService<ILogger<UnschedulableReporter>>()));
        services.AddSingleton(sp => new SchedulerMetrics(
            sp.GetRequiredService<SchedulingQueue>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.SchedulerName,
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<SchedulingResultsWriter>();
        services.AddSingleton<SchedulerReadiness>();
        services.AddHealthChecks().AddCheck<SchedulerReadiness>("informers-synced");
        services.AddHostedService<SchedulerService>();
        return builder;
    }
}
