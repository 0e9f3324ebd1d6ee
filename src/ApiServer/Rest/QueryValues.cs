using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>Typed query parameters, refused with the parameter's name when they do not parse.</summary>
public static class QueryValues
{
    /// <summary>The parameter as a whole number, or null when it is absent or empty.</summary>
    public static long? Integer(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } text
            ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw RestException.BadRequest($"{name}: Invalid value: \"{text}\": must be an integer")
            : null;
}
