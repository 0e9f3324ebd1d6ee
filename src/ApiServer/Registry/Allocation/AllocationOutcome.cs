namespace KubeMesh.ApiServer.Registry.Allocation;

public enum AllocationOutcome
{
    Allocated,
    AlreadyAllocated,
    NotInRange,
}
