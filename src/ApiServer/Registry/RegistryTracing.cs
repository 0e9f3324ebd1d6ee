using System.Diagnostics;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// The registry's spans, one per write ("create pods default/web-0", "update pods/status default/web-0"), whatever
/// front door the request came through. The store saves the span's traceparent with the change, so this is the
/// span every watcher's work hangs under.
/// </summary>
public static class RegistryTracing
{
    public const string SourceName = "KubeMesh.ApiServer";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string verb, ResourceKind kind, string? ns, string name, string subresource = "", bool dryRun = false)
    {
        var activity = Source.StartActivity(Name(verb, kind, ns, name, subresource));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("k8s.verb", verb);
            activity.SetTag("k8s.resource", kind.GroupResource);
            if (dryRun)
            {
                activity.SetTag("k8s.dry_run", true);
            }
        }

        return activity;
    }

    /// <summary>Names the span once the object's name is known (generateName is resolved after the span starts).</summary>
    public static void Rename(Activity? activity, string verb, ResourceKind kind, string? ns, string name, string subresource = "")
    {
        if (activity is not null)
        {
            activity.DisplayName = Name(verb, kind, ns, name, subresource);
        }
    }

    private static string Name(string verb, ResourceKind kind, string? ns, string name, string subresource)
    {
        var resource = subresource.Length == 0 ? kind.Plural : kind.Plural + "/" + subresource;
        return string.IsNullOrEmpty(ns) ? $"{verb} {resource} {name}" : $"{verb} {resource} {ns}/{name}";
    }
}
