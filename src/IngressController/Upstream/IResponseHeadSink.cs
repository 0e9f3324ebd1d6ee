using System.Net;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// Where a final response head goes as <see cref="Http1Connection"/> parses it: an HttpResponseMessage for YARP's
/// forwarder, or straight into the client's response on the controller's own forwarding path.
/// </summary>
internal interface IResponseHeadSink
{
    /// <summary>The message chunked trailers go to; null to drop them.</summary>
    HttpResponseMessage? Message { get; }

    /// <param name="reasonPhrase">Null when the pod sent the standard phrase for the status, or none.</param>
    void Start(int status, int minorVersion, string? reasonPhrase);

    /// <summary>An end-to-end field; <paramref name="content"/> for the fields HttpClient keeps on the content.</summary>
    void Add(string name, string value, bool content);

    void ContentLength(string name, string value, long length);

    /// <summary>Transfer-Encoding came too: the Content-Length does not frame the body.</summary>
    void RemoveContentLength();

    /// <summary>A field the pod's Connection header nominated as hop-by-hop.</summary>
    void Remove(string name);
}

/// <summary>The response head as the HttpResponseMessage (and its content) that YARP's forwarder copies.</summary>
internal sealed class MessageResponseSink(HttpRequestMessage request) : IResponseHeadSink
{
    public HttpResponseMessage Message { get; private set; } = null!;

    public Http1ResponseContent Content { get; private set; } = null!;

    HttpResponseMessage? IResponseHeadSink.Message => Message;

    public void Start(int status, int minorVersion, string? reasonPhrase)
    {
        Content = new Http1ResponseContent();
        Message = new HttpResponseMessage((HttpStatusCode)status)
        {
            Version = minorVersion == 0 ? HttpVersion.Version10 : HttpVersion.Version11,
            RequestMessage = request,
            Content = Content,
        };
        if (reasonPhrase is not null)
        {
            Message.ReasonPhrase = reasonPhrase;
        }
    }

    public void Add(string name, string value, bool content)
    {
        if (content)
        {
            Content.Headers.TryAddWithoutValidation(name, value);
        }
        else
        {
            Message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    public void ContentLength(string name, string value, long length) => Content.Headers.TryAddWithoutValidation(name, value);

    public void RemoveContentLength() => Content.Headers.Remove("Content-Length");

    public void Remove(string name)
    {
        Message.Headers.Remove(name);
        Content.Headers.Remove(name);
    }
}
