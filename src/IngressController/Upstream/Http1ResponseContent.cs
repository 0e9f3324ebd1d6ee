using System.Net;

namespace KubeMesh.IngressController.Upstream;

/// <summary>A response's body as HttpClient hands it out: its stream, read once.</summary>
internal sealed class Http1ResponseContent : HttpContent
{
    public Http1ResponseStream Stream { get; set; } = null!;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Stream.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        Stream.CopyToAsync(stream, cancellationToken);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(Stream);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Stream;

    // The length, when there is one, is in the Content-Length header.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Stream?.Dispose();
        }

        base.Dispose(disposing);
    }
}
