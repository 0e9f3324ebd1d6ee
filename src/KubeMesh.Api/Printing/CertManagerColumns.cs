using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.Api.Printing;

/// <summary>What cert-manager's printer columns read: a condition's status or message (blank when absent), a timestamp.</summary>
internal static class CertManagerColumns
{
    public static string Status(IEnumerable<ICertManagerCondition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type)?.Status ?? "";

    public static string Message(IEnumerable<ICertManagerCondition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type)?.Message ?? "";

    public static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
