using System.Buffers;

namespace KubeMesh.IngressController.Upstream;

/// <summary>RFC 9110 5.6.2 tchar: the bytes a method or a field name is made of, in requests and responses alike.</summary>
internal static class HttpTokens
{
    public static readonly SearchValues<byte> Bytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);
}
