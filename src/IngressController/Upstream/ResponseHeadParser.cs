using System.Buffers.Text;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// Finds and splits an HTTP/1.1 response head (RFC 9112 section 2): lines end with CRLF, and a bare LF is accepted as
/// the RFC allows a recipient to; the head ends with an empty line.
/// </summary>
internal static class ResponseHeadParser
{
    /// <summary>Whether <paramref name="buffered"/> holds a whole head, and its length with the empty line that ends it.</summary>
    public static bool TryFindEnd(ReadOnlySpan<byte> buffered, out int length)
    {
        var position = 0;
        while (true)
        {
            var newline = buffered[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                length = 0;
                return false;
            }

            var empty = newline == 0 || (newline == 1 && buffered[position] == '\r');
            if (empty && position == 0)
            {
                throw Http1Connection.Invalid("the response starts with an empty line");
            }

            position += newline + 1;
            if (empty)
            {
                length = position;
                return true;
            }
        }
    }

    /// <summary>The next line of <paramref name="rest"/> without its line end, and what follows it.</summary>
    public static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var newline = rest.IndexOf((byte)'\n');
        var line = rest[..newline];
        rest = rest[(newline + 1)..];
        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }

    /// <summary>HTTP-version SP status-code [SP reason-phrase]: the minor version (0 or 1), the code and the phrase.</summary>
    public static (int Minor, int Status) StatusLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> reason)
    {
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != ' '
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var consumed) || consumed != 3 || status < 100
            || (line.Length > 12 && line[12] != ' '))
        {
            throw Http1Connection.Invalid("the status line is not HTTP/1.x with a three-digit code");
        }

        reason = line.Length > 13 ? line[13..] : default;
        return (line[7] - '0', status);
    }

    /// <summary>The status code of a whole head, to decide on 100 Continue before parsing the rest.</summary>
    public static int StatusCode(ReadOnlySpan<byte> head)
    {
        var rest = head;
        return StatusLine(NextLine(ref rest), out _).Status;
    }
}
