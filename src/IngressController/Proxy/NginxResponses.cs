using System.Text;

namespace KubeMesh.IngressController.Proxy;

/// <summary>The bodies ingress-nginx answers with itself, so clients and scripts see the same pages.</summary>
internal static class NginxResponses
{
    public static ReadOnlyMemory<byte> NotFound { get; } = Page("404 Not Found");

    public static ReadOnlyMemory<byte> Unauthorized { get; } = Page("401 Authorization Required");

    public static ReadOnlyMemory<byte> ServiceUnavailable { get; } = Page("503 Service Temporarily Unavailable");

    public static ReadOnlyMemory<byte> PermanentRedirect { get; } = Page("308 Permanent Redirect");

    public static Task WriteAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static byte[] Page(string title) => Encoding.ASCII.GetBytes(
        $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
}
