using System.Net;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>A request body whose length HttpClient cannot know, so it goes chunked.</summary>
public sealed class UnseekableStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;
}

/// <summary>A request body of known length that records whether it was ever sent.</summary>
public sealed class WatchedContent(byte[] data) : HttpContent
{
    public bool Sent { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        Sent = true;
        return stream.WriteAsync(data).AsTask();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = data.Length;
        return true;
    }
}
