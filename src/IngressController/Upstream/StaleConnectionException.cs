namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// A pooled connection turned out closed before the pod could have acted on the request (no byte of a response, no
/// byte of a body sent): the request may go again on another connection, as HttpClient retries it.
/// </summary>
internal sealed class StaleConnectionException(Exception inner)
    : Exception("The pooled upstream connection was closed by the upstream.", inner);
