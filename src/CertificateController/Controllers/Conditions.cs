using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.CertificateController.Controllers;

/// <summary>cert-manager's SetCertificateCondition and friends: lastTransitionTime moves only when the status does.</summary>
internal static class Conditions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public static T? Get<T>(IEnumerable<T> conditions, string type)
        where T : class, ICertManagerCondition => conditions.FirstOrDefault(c => c.Type == type);

    public static bool Is<T>(IEnumerable<T> conditions, string type, string status)
        where T : class, ICertManagerCondition => Get(conditions, type)?.Status == status;

    public static T Set<T>(RepeatedField<T> conditions, string type, string status, string reason, string message, DateTimeOffset now)
        where T : class, ICertManagerCondition, new()
    {
        var existing = Get(conditions, type);
        if (existing is null)
        {
            existing = new T { Type = type, LastTransitionTime = Timestamp.FromDateTimeOffset(now) };
            conditions.Add(existing);
        }
        else if (existing.Status != status)
        {
            existing.LastTransitionTime = Timestamp.FromDateTimeOffset(now);
        }

        existing.Status = status;
        existing.Reason = reason;
        existing.Message = message;
        return existing;
    }

    public static void Remove<T>(RepeatedField<T> conditions, string type)
        where T : class, ICertManagerCondition
    {
        for (var i = conditions.Count - 1; i >= 0; i--)
        {
            if (conditions[i].Type == type)
            {
                conditions.RemoveAt(i);
            }
        }
    }
}
