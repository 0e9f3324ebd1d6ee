using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authorization;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// kubectl apply on the server: every document is decoded and checked (a dry run of its create or update)
/// before the first write, so a bad file changes nothing.
/// </summary>
public sealed class ManifestApplier(ResourceRegistry registry, RequestAuthorizer authorizer)
{
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";

    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request)
    {
        IReadOnlyList<ManifestObject> objects;
        try
        {
            objects = ManifestDecoder.Decode(request.Manifest);
        }
        catch (ManifestException ex)
        {
            throw ApiErrors.BadRequest(ex.Message);
        }

        var plan = new List<(ManifestObject Item, IMessage? Existing)>();
        var problems = new List<string>();
        foreach (var item in objects)
        {
            Prepare(item, request);
            try
            {
                var existing = await TryGetAsync(item);
                if (existing is not null && request.CreateOnly)
                {
                    throw ApiErrors.AlreadyExists(item.Kind, item.Kind.Metadata(item.Object).Name);
                }

                await WriteAsync(item, existing, dryRun: true);
                plan.Add((item, existing));
            }
            catch (RpcException ex)
            {
                problems.Add(objects.Count == 1 ? ex.Status.Detail : $"document {item.Document}: {ex.Status.Detail}");
            }
        }

        if (problems.Count > 0)
        {
            throw new RpcException(new Status(problems.Count == 1 && objects.Count == 1 ? StatusCodeOf(problems) : StatusCode.InvalidArgument, string.Join("\n", problems)));
        }

        var response = new ApplyResponse();
        foreach (var (item, existing) in plan)
        {
            var written = request.DryRun ? await WriteAsync(item, existing, dryRun: true) : await WriteAsync(item, existing, dryRun: false);
            var meta = item.Kind.Metadata(written);
            var action = existing is null ? "created"
                : item.Kind.Metadata(existing).ResourceVersion == meta.ResourceVersion ? "unchanged"
                : "configured";
            response.Results.Add(new ApplyResult
            {
                ApiVersion = item.Kind.ApiVersion,
                Kind = item.Kind.Kind,
                Namespace = meta.Namespace,
                Name = meta.Name,
                Action = action,
                ResourceVersion = meta.ResourceVersion,
            });
        }

        return response;
    }

    private static void Prepare(ManifestObject item, ApplyRequest request)
    {
        var meta = item.Kind.Metadata(item.Object);
        if (item.Kind.Namespaced && string.IsNullOrEmpty(meta.Namespace))
        {
            meta.Namespace = string.IsNullOrEmpty(request.Namespace) ? "default" : request.Namespace;
        }

        if (!string.IsNullOrEmpty(request.ChangeCause))
        {
            meta.Annotations[ChangeCauseAnnotation] = request.ChangeCause;
        }
    }

    private async Task<IMessage?> TryGetAsync(ManifestObject item)
    {
        var meta = item.Kind.Metadata(item.Object);
        if (string.IsNullOrEmpty(meta.Name))
        {
            return null;
        }

        Authorize(item, "get", meta.Name);
        try
        {
            return await registry.GetAsync(item.Kind, meta.Namespace, meta.Name);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<IMessage> WriteAsync(ManifestObject item, IMessage? existing, bool dryRun)
    {
        if (existing is null)
        {
            Authorize(item, "create", "");
            return registry.CreateAsync(item.Kind, item.Object, dryRun);
        }

        Authorize(item, "update", item.Kind.Metadata(item.Object).Name);

        var merged = item.Object.Clone();
        MergeServerOwned(item.Kind, merged, existing);
        return registry.UpdateAsync(item.Kind, merged, dryRun);
    }

    /// <summary>
    /// What kubectl's three-way merge keeps because the manifest never said it: labels and annotations
    /// others added, owner references, finalizers, and fields the server allocated.
    /// </summary>
    private static void MergeServerOwned(ResourceKind kind, IMessage merged, IMessage existing)
    {
        var meta = kind.Metadata(merged);
        var old = kind.Metadata(existing);
        meta.ResourceVersion = old.ResourceVersion;
        foreach (var (key, value) in old.Annotations)
        {
            meta.Annotations.TryAdd(key, value);
        }

        foreach (var (key, value) in old.Labels)
        {
            meta.Labels.TryAdd(key, value);
        }

        if (meta.OwnerReferences.Count == 0)
        {
            meta.OwnerReferences.Add(old.OwnerReferences);
        }

        if (meta.Finalizers.Count == 0)
        {
            meta.Finalizers.Add(old.Finalizers);
        }

        ServerOwnedFields.Keep(kind, merged, existing);
    }

    private static StatusCode StatusCodeOf(List<string> problems) =>
        problems[0].Contains("already exists", StringComparison.Ordinal) ? StatusCode.AlreadyExists : StatusCode.InvalidArgument;

    /// <summary>Each object of a manifest needs what its own read and write would need (kubectl apply's get, then create or update).</summary>
    private void Authorize(ManifestObject item, string verb, string name)
    {
        if (RequestUser.Current is not { } user)
        {
            return;
        }

        var ns = item.Kind.Metadata(item.Object).Namespace;
        authorizer.Require(new AuthorizationAttributes(user, verb)
        {
            ApiGroup = item.Kind.Group,
            ApiVersion = item.Kind.Version,
            Namespace = item.Kind.Namespaced ? (string.IsNullOrEmpty(ns) ? "default" : ns) : "",
            Resource = item.Kind.Plural,
            Name = name,
        });
    }
}
