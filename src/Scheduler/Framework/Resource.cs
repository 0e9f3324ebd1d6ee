using KubeMesh.Api.Quantities;
using Google.Protobuf.Collections;

namespace KubeMesh.Scheduler.Framework;

/// <summary>The resources the scheduler accounts for: CPU in millicores and memory in bytes.</summary>
public readonly record struct Resource(long MilliCpu, long Memory)
{
    public static Resource Zero => default;

    public static Resource operator +(Resource a, Resource b) => new(a.MilliCpu + b.MilliCpu, a.Memory + b.Memory);

    public static Resource operator -(Resource a, Resource b) => new(a.MilliCpu - b.MilliCpu, a.Memory - b.Memory);

    public static Resource Max(Resource a, Resource b) => new(Math.Max(a.MilliCpu, b.MilliCpu), Math.Max(a.Memory, b.Memory));

    /// <summary>cpu and memory of a requests or allocatable map; an unparsable quantity counts as zero (the api-server validates them).</summary>
    public static Resource From(MapField<string, string>? quantities) =>
        quantities is null ? Zero : new(Parse(quantities, "cpu", q => q.MilliValue), Parse(quantities, "memory", q => q.Value));

    private static long Parse(MapField<string, string> quantities, string name, Func<Quantity, long> unit) =>
        quantities.TryGetValue(name, out var text) && Quantity.TryParse(text, out var quantity) ? unit(quantity) : 0;
}
