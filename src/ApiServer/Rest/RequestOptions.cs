using KubeMesh.Api.Serialization;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>The query parameters writes share: dryRun=All and fieldValidation=Strict|Warn|Ignore (Warn by default, as kube-apiserver).</summary>
public sealed record RequestOptions(bool DryRun, UnknownFieldPolicy FieldValidation)
{
    public static RequestOptions From(HttpRequest request)
    {
        var dryRun = request.Query["dryRun"].ToArray();
        if (dryRun.Any(d => d != "All"))
        {
            throw RestException.BadRequest($"dryRun: Unsupported value: \"{dryRun.First(d => d != "All")}\": supported values: \"All\"");
        }

        var policy = request.Query["fieldValidation"].ToString() switch
        {
            "" or "Warn" => UnknownFieldPolicy.Warn,
            "Strict" => UnknownFieldPolicy.Strict,
            "Ignore" => UnknownFieldPolicy.Ignore,
            var other => throw RestException.BadRequest($"fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
        };
        return new RequestOptions(dryRun.Length > 0, policy);
    }
}
