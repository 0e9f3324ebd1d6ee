using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

/// <summary>
/// controller.ComputeHash: FNV-32a of the pod template (without its pod-template-hash label) plus the collision
/// count, printed in decimal and each digit mapped onto the alphabet kube uses for safe names.
/// </summary>
internal static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    private const string SafeChars = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(PodTemplateSpec template, int? collisionCount)
    {
        var canonical = WithoutHashLabel(template);
        Canonicalize(canonical);
        var hash = 2166136261u;
        foreach (var b in canonical.ToByteArray())
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount is { } count)
        {
            foreach (var b in BitConverter.GetBytes((uint)count))
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = SafeChars[s[i] % SafeChars.Length];
            }
        });
    }

    /// <summary>Templates equal once pod-template-hash is ignored (EqualIgnoreHash).</summary>
    public static bool EqualIgnoringHash(PodTemplateSpec? a, PodTemplateSpec? b) =>
        Equals(a is null ? null : WithoutHashLabel(a), b is null ? null : WithoutHashLabel(b));

    public static PodTemplateSpec WithoutHashLabel(PodTemplateSpec template)
    {
        var copy = template.Clone();
        copy.Metadata?.Labels.Remove(Label);
        return copy;
    }

    /// <summary>Protobuf writes map entries in insertion order; sorting them makes equal templates hash equally.</summary>
    private static void Canonicalize(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap && value is System.Collections.IDictionary map && map.Count > 1)
            {
                var entries = map.Keys.Cast<object>().Select(k => (Key: k, Value: map[k])).OrderBy(e => e.Key.ToString(), StringComparer.Ordinal).ToList();
                map.Clear();
                foreach (var (key, entryValue) in entries)
                {
                    map[key] = entryValue;
                }
            }
            else if (field.IsRepeated && field.FieldType == FieldType.Message && value is System.Collections.IList list)
            {
                foreach (var item in list.OfType<IMessage>())
                {
                    Canonicalize(item);
                }
            }
            else if (!field.IsRepeated && field.FieldType == FieldType.Message && value is IMessage nested)
            {
                Canonicalize(nested);
            }
        }
    }
}
