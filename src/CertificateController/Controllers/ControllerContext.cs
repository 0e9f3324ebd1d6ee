using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.CertificateController.Controllers;

/// <summary>What every controller of this component shares: one client, one informer factory, the clock and settings.</summary>
public sealed class ControllerContext(
    KubeMeshClient client,
    SharedInformerFactory informers,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IOptions<CertificateControllerOptions> options)
{
    public KubeMeshClient Client => client;

    public SharedInformerFactory Informers => informers;

    public TimeProvider Time => time;

    public ILoggerFactory LoggerFactory => loggerFactory;

    public CertificateControllerOptions Options => options.Value;

    /// <summary>Events report as cert-manager's controllers do, from one component.</summary>
    public EventRecorder NewRecorder(string component) => new(
        client.For<Event>(), new EventSource { Component = component }, loggerFactory.CreateLogger<EventRecorder>(), time);

    public int WorkersFor(string controller, int defaultWorkers) =>
        Math.Max(1, Options.Workers.GetValueOrDefault(controller, defaultWorkers));
}
