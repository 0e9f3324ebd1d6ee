namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>A patch that cannot be applied to the object (a bad directive, a failed JSON patch test): 422, nothing written.</summary>
public sealed class PatchException(string message) : Exception(message);
