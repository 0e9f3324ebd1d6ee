using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Tests.Framework;

public sealed class CycleStateTests
{
    private static readonly CycleStateKey<string> First = new("first");
    private static readonly CycleStateKey<int[]> Second = new("second");

    [Fact]
    public void GetOrAdd_ComputesOncePerCycle_AndEachKeyHasItsOwnValue()
    {
        var calls = 0;
        var state = new CycleState();

        var a = state.GetOrAdd(First, "pod-a", p => { calls++; return p + "!"; });
        var again = state.GetOrAdd(First, "pod-b", p => { calls++; return p + "?"; });
        var other = state.GetOrAdd(Second, 3, n => new int[n]);
        var nextCycle = new CycleState().GetOrAdd(First, "pod-b", p => { calls++; return p + "?"; });

        Assert.Equal("pod-a!", a);
        Assert.Equal("pod-a!", again);
        Assert.Equal(3, other.Length);
        Assert.Equal("pod-b?", nextCycle);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void GetOrAdd_KeyMadeAfterTheState_StillGetsASlot()
    {
        var state = new CycleState();
        var late = new CycleStateKey<string>("late");

        Assert.Equal("x", state.GetOrAdd(late, "x", static s => s));
        Assert.Equal("x", state.GetOrAdd(late, "y", static s => s));
    }
}
