using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Limits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// The REST API's handler chain, through which every request goes: resolve the <see cref="RequestInfo"/>, run the
/// <see cref="IRequestFilter"/>s (authentication and authorization), route to the handler, and turn whatever
/// escapes into a metav1.Status (<see cref="StatusErrors"/>). Nothing a client sends ends here as an unhandled
/// exception.
/// </summary>
public sealed partial class RestApiHandler(RestRouter router, IEnumerable<IRequestFilter> filters, MaxInFlightLimit inFlight, ILogger<RestApiHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            var info = RequestInfoResolver.Resolve(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
            context.Features.Set(info);
            foreach (var filter in filters)
            {
                await filter.ApplyAsync(context, info);
            }

            using (inFlight.Enter(RequestUser.Current, info.Verb, info.Subresource))
            {
                await router.RouteAsync(context, info);
            }
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client went away.
        }
        catch (Exception ex)
        {
            var status = StatusErrors.From(ex);
            var code = status["code"]!.GetValue<int>();
            if (code >= 500)
            {
                LogServerError(logger, context.Request.Method, context.Request.Path.Value ?? "", ex);
            }

            if (context.Response.HasStarted)
            {
                // A stream already under way cannot become a Status; end it so the client sees it broke.
                context.Abort();
                return;
            }

            context.Response.Headers.Remove("Warning");
            if (status["details"]?["retryAfterSeconds"] is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToJsonString();
            }

            if (code == StatusCodes.Status413PayloadTooLarge && HttpProtocol.IsHttp11(context.Request.Protocol))
            {
                context.Response.Headers.Connection = "close";
            }

            await RestResponses.WriteAsync(context, code, status);
            if (code == StatusCodes.Status413PayloadTooLarge)
            {
                await context.Response.CompleteAsync();
                await RequestBodies.DiscardAsync(context);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "REST {Method} {Path} failed")]
    private static partial void LogServerError(ILogger logger, string method, string path, Exception exception);
}
