using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace KubeMesh.IngressController.Transport;

/// <summary>What both kinds of epoll connection share: an id, items, end points, features, a transport.</summary>
internal abstract class EpollContext : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature, IConnectionEndPointFeature
{
    private static long s_lastId;

    private readonly char _prefix;
    private IDictionary<object, object?>? _items;
    private string? _connectionId;

    protected EpollContext(char prefix, EndPoint? local, EndPoint? remote, IDuplexPipe transport)
    {
        _prefix = prefix;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        Transport = transport;
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
    }

    public override string ConnectionId
    {
        get => _connectionId ??= _prefix + Interlocked.Increment(ref s_lastId).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        set => _connectionId = value;
    }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    protected sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
