using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using KubeMesh.Api;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps a failed call's status message within <see cref="ApiLimits.MaxStatusDetailBytes"/>: whole lines first,
/// then a count of the ones left out, so that the client receives the error instead of a broken response.
/// </summary>
public sealed class StatusDetailLimitInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > ApiLimits.MaxStatusDetailBytes)
        {
            throw Shortened(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > ApiLimits.MaxStatusDetailBytes)
        {
            throw Shortened(ex);
        }
    }

    /// <summary>The detail cut to the limit: the lines that fit, or as much of one line as fits, and what was left out.</summary>
    public static string Shorten(string detail)
    {
        const int room = ApiLimits.MaxStatusDetailBytes - 64;
        var lines = detail.Split('\n');
        var kept = new StringBuilder();
        var bytes = 0;
        var count = 0;
        for (; count < lines.Length; count++)
        {
            var size = Encoding.UTF8.GetByteCount(lines[count]) + 1;
            if (bytes + size > room)
            {
                break;
            }

            kept.Append(lines[count]).Append('\n');
            bytes += size;
        }

        if (count == 0)
        {
            // One line longer than the limit: as many whole characters of it as fit.
            var line = lines[0];
            var chars = Math.Min(line.Length, room / 3);
            while (chars < line.Length && Encoding.UTF8.GetByteCount(line.AsSpan(0, chars + 1)) <= room)
            {
                chars++;
            }

            chars -= chars > 0 && char.IsHighSurrogate(line[chars - 1]) ? 1 : 0;
            return $"{line[..chars]}... ({Encoding.UTF8.GetByteCount(detail) - Encoding.UTF8.GetByteCount(line.AsSpan(0, chars))} more bytes left out)";
        }

        return $"{kept}... and {lines.Length - count} more lines left out";
    }

    private static RpcException Shortened(RpcException ex) =>
        new(new Status(ex.StatusCode, Shorten(ex.Status.Detail), ex.Status.DebugException), ex.Trailers);
}
