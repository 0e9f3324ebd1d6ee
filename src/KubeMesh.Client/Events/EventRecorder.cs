using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Client;

/// <summary>
/// Writes core/v1 Events about objects (client-go's record.EventRecorder). Like Kubernetes' event correlator, a
/// repeat of the same event (same object, source, type, reason and message) updates the first one's count and
/// lastTimestamp instead of creating another. Recording is best effort: failures are logged, never thrown.
/// </summary>
public sealed class EventRecorder(
    ResourceClient<Event> events, EventSource source, ILogger<EventRecorder>? logger = null, TimeProvider? timeProvider = null)
{
    // Kubernetes' correlator keeps an LRU of 4096 keys; clearing when full costs only a fresh event per key.
    private const int MaxCachedEvents = 4096;

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Dictionary<string, Event> _recorded = [];

    /// <summary>Records without waiting for the write (the usual call from controllers).</summary>
    public void Event(IMessage involvedObject, string type, string reason, string message) =>
        _ = RecordAsync(involvedObject, type, reason, message, CancellationToken.None);

    /// <summary>Records and returns the written event, or null if it could not be written.</summary>
    public async Task<Event?> RecordAsync(
        IMessage involvedObject, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        if (type is not (EventTypes.Normal or EventTypes.Warning))
        {
            EventRecorderLog.InvalidType(_logger, type, reason);
            return null;
        }

        var reference = ReferenceTo(involvedObject);
        EventRecorderLog.Recording(_logger, reference.Kind, reference.Namespace, reference.Name, type, reason, message);
        var key = string.Join('\u0000', source.Component, source.Host, reference.Kind, reference.Namespace,
            reference.Name, reference.Uid, reference.ApiVersion, type, reason, message);
        var now = _time.GetUtcNow();

        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var written = await WriteAsync(key, reference, type, reason, message, now, cancellationToken).ConfigureAwait(false);
            if (_recorded.Count >= MaxCachedEvents)
            {
                _recorded.Clear();
            }

            _recorded[key] = written;
            return written;
        }
        catch (RpcException e)
        {
            EventRecorderLog.WriteFailed(_logger, e, reference.Namespace, reference.Name, reason);
            return null;
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task<Event> WriteAsync(
        string key, ObjectReference reference, string type, string reason, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_recorded.TryGetValue(key, out var previous))
        {
            var repeat = previous.Clone();
            repeat.Count++;
            repeat.LastTimestamp = Timestamp.FromDateTimeOffset(now);
            try
            {
                return await events.UpdateAsync(repeat, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Aborted)
            {
                // The event was deleted (events expire) or changed by someone else: start a new one.
                _recorded.Remove(key);
            }
        }

        var ev = new Event
        {
            Metadata = new()
            {
                Name = $"{reference.Name}.{UnixNanoseconds(now):x}",
                Namespace = reference.Namespace.Length > 0 ? reference.Namespace : "default",
            },
            InvolvedObject = reference,
            Reason = reason,
            Message = message,
            Type = type,
            Source = source.Clone(),
            FirstTimestamp = Timestamp.FromDateTimeOffset(now),
            LastTimestamp = Timestamp.FromDateTimeOffset(now),
            Count = 1,
            ReportingComponent = source.Component,
            ReportingInstance = source.Host,
        };
        return await events.CreateAsync(ev, cancellationToken).ConfigureAwait(false);
    }

    private static ObjectReference ReferenceTo(IMessage obj)
    {
        var kind = ResourceKinds.For(obj.Descriptor);
        var metadata = kind.Metadata(obj);
        return new ObjectReference
        {
            Kind = kind.Kind,
            ApiVersion = kind.ApiVersion,
            Namespace = metadata.Namespace,
            Name = metadata.Name,
            Uid = metadata.Uid,
            ResourceVersion = metadata.ResourceVersion,
        };
    }

    private static long UnixNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}
