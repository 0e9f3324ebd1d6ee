using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Api.Serialization;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.History;

/// <summary>
/// The rollout history of a DaemonSet or StatefulSet as apps/v1 ControllerRevisions (pkg/controller/history and
/// the controllers' constructHistory/truncateHistory): each distinct pod template gets one revision named
/// &lt;owner&gt;-&lt;hash&gt; whose data is the strategic merge patch that restores it
/// ({"spec":{"template":{...,"$patch":"replace"}}}, what `kubectl rollout undo` sends back), numbered in the order
/// the templates were last rolled out; going back to an old template renumbers its revision as the newest.
/// </summary>
internal sealed class ControllerHistory(ResourceClient<ControllerRevision> client, Lister<ControllerRevision> revisions)
{
    /// <summary>The label a StatefulSet's revisions carry their hash in (a DaemonSet's use controller-revision-hash).</summary>
    public const string HashLabel = "controller.kubernetes.io/hash";

    /// <summary>
    /// Claims the owner's revisions, makes the revision of <paramref name="template"/> the newest (creating it, or
    /// renumbering an equal one) and deletes the oldest beyond <paramref name="historyLimit"/> that no live pod and
    /// no name in <paramref name="inUse"/> still uses; <paramref name="owners"/> re-reads the owner before an adoption.
    /// Returns the current revision.
    /// </summary>
    public async Task<ControllerRevision> SyncAsync(
        IMessage owner, LabelSelectorExpression selector, PodTemplateSpec template, string hash, string hashLabel,
        int historyLimit, IReadOnlySet<string> inUse, ResourceClient owners, CancellationToken cancellationToken)
    {
        var kind = ResourceKinds.For(owner.Descriptor);
        var meta = kind.Metadata(owner);
        var claimer = new ControllerRefManager<ControllerRevision>(client, owner, selector, owners);
        var owned = await claimer.ClaimAsync(revisions.List(meta.Namespace), cancellationToken).ConfigureAwait(false);
        var data = Data(template);
        var newest = owned.Count == 0 ? 0 : owned.Max(r => r.Revision);
        var current = owned.Where(r => Equals(r.Data, data)).MaxBy(r => r.Revision);
        if (current is null)
        {
            current = await CreateAsync(kind, meta, template, data, hash, hashLabel, newest + 1, cancellationToken).ConfigureAwait(false);
            newest = current.Revision;
            owned.Add(current);
        }

        if (current.Revision < newest)
        {
            var renumbered = current.Clone();
            renumbered.Revision = newest + 1;
            current = await client.UpdateAsync(renumbered, cancellationToken).ConfigureAwait(false);
        }

        var currentName = current.Metadata.Name;
        var old = owned.Where(r => r.Metadata.Name != currentName && !inUse.Contains(r.Metadata.Name)).OrderBy(r => r.Revision).ToList();
        foreach (var revision in old.Take(Math.Max(0, old.Count - historyLimit)))
        {
            try
            {
                await client.DeleteAsync(new() { Namespace = revision.Metadata.Namespace, Name = revision.Metadata.Name, Preconditions = new() { Uid = revision.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }
        }

        return current;
    }

    /// <summary>The patch that puts <paramref name="template"/> back, as the controllers' getPatch builds it.</summary>
    public static Struct Data(PodTemplateSpec template)
    {
        var templateJson = ManifestEncoder.ToJsonNode(template);
        templateJson["$patch"] = "replace";
        var patch = new System.Text.Json.Nodes.JsonObject { ["spec"] = new System.Text.Json.Nodes.JsonObject { ["template"] = templateJson } };
        return JsonParser.Default.Parse<Struct>(patch.ToJsonString());
    }

    private async Task<ControllerRevision> CreateAsync(
        ResourceKind kind, Api.Meta.V1.ObjectMeta owner, PodTemplateSpec template, Struct data, string hash, string hashLabel, long number, CancellationToken cancellationToken)
    {
        var revision = new ControllerRevision
        {
            Metadata = new() { Namespace = owner.Namespace, Name = $"{owner.Name}-{hash}" },
            Data = data,
            Revision = number,
        };
        revision.Metadata.Labels.Add(template.Metadata?.Labels ?? []);
        revision.Metadata.Labels[hashLabel] = hash;
        revision.Metadata.Annotations.Add(owner.Annotations);
        revision.Metadata.OwnerReferences.Add(OwnerReferences.NewControllerRef(owner, kind));
        try
        {
            return await client.CreateAsync(revision, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // Made by an earlier sync the cache has not shown yet; it is the same template's revision if it is ours.
            var existing = await client.GetAsync(owner.Namespace, revision.Metadata.Name, cancellationToken).ConfigureAwait(false);
            return OwnerReferences.IsControlledBy(existing.Metadata, owner) && Equals(existing.Data, data)
                ? existing
                : throw new InvalidOperationException($"controllerrevision {owner.Namespace}/{revision.Metadata.Name} exists with other data (a hash collision)");
        }
    }
}
