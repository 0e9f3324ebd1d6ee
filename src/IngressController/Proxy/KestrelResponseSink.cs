using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace KubeMesh.IngressController.Proxy;

/// <summary>A pod's response head written straight into the client's response, as YARP's forwarder would copy it.</summary>
internal readonly struct KestrelResponseSink(HttpContext context) : IResponseHeadSink
{
    // Trailers of a chunked response are dropped, as nginx drops them; YARP's path passes them to HTTP/2 clients.
    public HttpResponseMessage? Message => null;

    public void Start(int status, int minorVersion, string? reasonPhrase)
    {
        context.Response.StatusCode = status;
        if (reasonPhrase is not null)
        {
            context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = reasonPhrase;
        }
    }

    public void Add(string name, string value, bool content)
    {
        var headers = context.Response.Headers;

        // Kestrel sets its own Date before the response starts: the pod's replaces it rather than joining it.
        if (name.Equals(HeaderNames.Date, StringComparison.OrdinalIgnoreCase))
        {
            headers.Date = value;
        }
        else
        {
            headers.Append(name, value);
        }
    }

    public void ContentLength(string name, string value, long length) => context.Response.ContentLength = length;

    public void RemoveContentLength() => context.Response.ContentLength = null;

    public void Remove(string name) => context.Response.Headers.Remove(name);
}
