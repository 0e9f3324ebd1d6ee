using System.Globalization;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Services;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// GET pods/NAME/log?container=&amp;follow=&amp;previous=&amp;tailLines=&amp;timestamps=&amp;sinceSeconds=|sinceTime=&amp;limitBytes=:
/// the kubelet's log stream as text/plain, each chunk flushed as it comes so `kubectl logs -f` shows lines live.
/// Errors before the first byte (no such container, a container still waiting) are a Status.
/// </summary>
public sealed class PodLogHandler(KubeletProxy kubelets, TimeProvider clock)
{
    public async Task GetAsync(HttpContext context, ResourceRequest request)
    {
        var query = context.Request.Query;
        var logRequest = new PodLogRequest
        {
            Namespace = request.Namespace,
            Name = request.Name,
            Container = query["container"].ToString(),
            Follow = RequestInfoResolver.IsTrue(query["follow"]),
            Previous = RequestInfoResolver.IsTrue(query["previous"]),
            Timestamps = RequestInfoResolver.IsTrue(query["timestamps"]),
        };
        if (QueryValues.Integer(query, "tailLines") is { } tail)
        {
            logRequest.TailLines = tail;
        }

        if (QueryValues.Integer(query, "sinceSeconds") is { } since)
        {
            logRequest.SinceSeconds = since > 0 ? since : throw RestException.BadRequest("sinceSeconds: Invalid value: must be greater than 0");
        }

        if (query["sinceTime"].ToString() is { Length: > 0 } sinceTime)
        {
            // kubectl logs --since-time: an RFC 3339 time, kept as the seconds before now the kubelet filters by.
            logRequest.SinceSeconds = DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? Math.Max(1, (long)Math.Ceiling((clock.GetUtcNow() - time).TotalSeconds))
                : throw RestException.BadRequest($"sinceTime: Invalid value: \"{sinceTime}\": must be an RFC 3339 time");
        }

        var limit = QueryValues.Integer(query, "limitBytes") is { } bytes ? bytes > 0 ? bytes : throw RestException.BadRequest("limitBytes: Invalid value: must be greater than 0") : long.MaxValue;
        using var call = await kubelets.OpenLogsAsync(logRequest, context.RequestAborted);
        var stream = call.ResponseStream;
        var more = await stream.MoveNext(context.RequestAborted);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            for (; more && limit > 0; more = await stream.MoveNext(context.RequestAborted))
            {
                var data = stream.Current.Data.Memory;
                data = data.Length > limit ? data[..(int)limit] : data;
                limit -= data.Length;
                await context.Response.Body.WriteAsync(data, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}
