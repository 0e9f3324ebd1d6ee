namespace KubeMesh.ApiServer.Storage;

/// <summary>A write found the store in a state it did not expect; the API maps each case to a gRPC code.</summary>
public abstract class StoreException(string message) : Exception(message);

public sealed class AlreadyExistsException(string key) : StoreException($"{key} already exists");

public sealed class NotFoundException(string key) : StoreException($"{key} not found");

public sealed class ConflictException(string key, long expected, long actual)
    : StoreException($"{key}: the object has been modified (resourceVersion {expected}, now {actual}); read it again and retry")
{
    public long Actual { get; } = actual;
}

public sealed class ExpiredException(long requested, long oldest)
    : StoreException($"too old resource version: {requested} (oldest kept: {oldest}); re-list and watch from the list's resourceVersion")
{
    public long Requested { get; } = requested;

    /// <summary>The oldest revision the log still reaches back to.</summary>
    public long Oldest { get; } = oldest;
}

public sealed class FutureRevisionException(long requested, long current)
    : StoreException($"required revision {requested} is a future revision (the store is at {current})")
{
    public long Current { get; } = current;
}
