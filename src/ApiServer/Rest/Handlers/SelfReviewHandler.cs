using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authorization;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// authorization.k8s.io SelfSubjectAccessReview (kubectl auth can-i) and authentication.k8s.io SelfSubjectReview
/// (kubectl auth whoami): created, never stored, and answered with their status for the user making the request.
/// </summary>
public sealed class SelfReviewHandler(RequestAuthorizer authorizer)
{
    public const string AccessReviews = "selfsubjectaccessreviews";
    public const string SubjectReviews = "selfsubjectreviews";

    public static bool Serves(RequestInfo info) =>
        (info.ApiGroup, info.Resource) is ("authorization.k8s.io", AccessReviews) or ("authentication.k8s.io", SubjectReviews);

    public async Task CreateAsync(HttpContext context, RequestInfo info)
    {
        if (info.Verb != "create" || info.Name.Length > 0 || info.Namespace.Length > 0 || info.Subresource.Length > 0)
        {
            throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {info.Resource})");
        }

        var user = RequestUser.Current ?? UserInfo.AnonymousUser;
        var body = await RequestBodies.ReadJsonAsync(context) as JsonObject ?? throw RestException.BadRequest("the request body must be a JSON object");
        var review = new JsonObject
        {
            ["kind"] = info.Resource == AccessReviews ? "SelfSubjectAccessReview" : "SelfSubjectReview",
            ["apiVersion"] = $"{info.ApiGroup}/{info.ApiVersion}",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
        };
        if (info.Resource == SubjectReviews)
        {
            review["status"] = new JsonObject { ["userInfo"] = UserJson(user) };
        }
        else
        {
            var spec = body["spec"] as JsonObject ?? throw RestException.BadRequest("spec: Required value");
            var result = authorizer.Authorize(Attributes(user, spec));
            review["spec"] = spec.DeepClone();
            var status = new JsonObject { ["allowed"] = result.Allowed };
            if (result.Decision == Decision.Deny)
            {
                status["denied"] = true;
            }

            if (result.Reason.Length > 0)
            {
                status["reason"] = result.Reason;
            }

            review["status"] = status;
        }

        await RestResponses.WriteAsync(context, StatusCodes.Status201Created, review);
    }

    private static AuthorizationAttributes Attributes(UserInfo user, JsonObject spec)
    {
        if (spec["resourceAttributes"] is JsonObject r)
        {
            return new AuthorizationAttributes(user, Text(r, "verb", "spec.resourceAttributes.verb"))
            {
                Namespace = Text(r, "namespace"),
                ApiGroup = Text(r, "group"),
                ApiVersion = Text(r, "version"),
                Resource = Text(r, "resource"),
                Subresource = Text(r, "subresource"),
                Name = Text(r, "name"),
            };
        }

        if (spec["nonResourceAttributes"] is JsonObject n)
        {
            return AuthorizationAttributes.NonResource(user, Text(n, "verb", "spec.nonResourceAttributes.verb"), Text(n, "path", "spec.nonResourceAttributes.path"));
        }

        throw RestException.BadRequest("spec.resourceAttributes: Required value: exactly one of resourceAttributes or nonResourceAttributes must be specified");
    }

    private static string Text(JsonObject obj, string field, string? requiredPath = null)
    {
        var value = obj[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        return value.Length == 0 && requiredPath is not null ? throw RestException.BadRequest($"{requiredPath}: Required value") : value;
    }

    private static JsonObject UserJson(UserInfo user)
    {
        var extra = new JsonObject();
        foreach (var (key, values) in user.Extra)
        {
            extra[key] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }

        var json = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
        {
            json["uid"] = user.Uid;
        }

        json["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)g)]);
        if (extra.Count > 0)
        {
            json["extra"] = extra;
        }

        return json;
    }
}
