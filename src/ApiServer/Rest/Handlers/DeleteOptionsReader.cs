using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMesh.Api.Meta.V1;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// metav1.DeleteOptions from the query (gracePeriodSeconds, propagationPolicy, orphanDependents, dryRun) and the
/// body, which kubectl sends ({"propagationPolicy":"Background"}); the body's values win.
/// </summary>
public static class DeleteOptionsReader
{
    public static async Task<(DeleteRequest Request, bool DryRun)> ReadAsync(HttpContext context, string ns, string name)
    {
        var request = new DeleteRequest { Namespace = ns, Name = name };
        var query = context.Request.Query;
        if (QueryValues.Integer(query, "gracePeriodSeconds") is { } seconds)
        {
            request.GracePeriodSeconds = seconds;
        }

        request.PropagationPolicy = query["propagationPolicy"].ToString();
        if (RequestInfoResolver.IsTrue(query["orphanDependents"]))
        {
            request.PropagationPolicy = "Orphan";
        }

        var dryRun = RequestOptions.From(context.Request).DryRun;
        if (await RequestBodies.ReadOptionalJsonAsync(context) is JsonObject options)
        {
            Read(options, request, ref dryRun);
        }

        return (request, dryRun);
    }

    private static void Read(JsonObject options, DeleteRequest request, ref bool dryRun)
    {
        if (options["gracePeriodSeconds"] is JsonValue grace)
        {
            request.GracePeriodSeconds = grace.GetValueKind() == JsonValueKind.Number && grace.TryGetValue<long>(out var seconds)
                ? seconds
                : throw RestException.BadRequest("gracePeriodSeconds: Invalid value: must be an integer");
        }

        if (options["propagationPolicy"] is JsonValue policy && policy.GetValueKind() == JsonValueKind.String)
        {
            request.PropagationPolicy = policy.GetValue<string>();
        }

        if (options["orphanDependents"] is JsonValue orphan && orphan.GetValueKind() == JsonValueKind.True)
        {
            request.PropagationPolicy = "Orphan";
        }

        if (options["preconditions"] is JsonObject preconditions)
        {
            request.Preconditions = new Preconditions
            {
                Uid = Text(preconditions, "uid"),
                ResourceVersion = Text(preconditions, "resourceVersion"),
            };
        }

        if (options["dryRun"] is JsonArray modes && modes.Count > 0)
        {
            dryRun = modes.All(m => m is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "All")
                ? true
                : throw RestException.BadRequest("dryRun: Unsupported value: supported values: \"All\"");
        }
    }

    private static string Text(JsonObject obj, string key) => obj[key] switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw RestException.BadRequest($"preconditions.{key}: Invalid value: must be a string"),
    };
}
