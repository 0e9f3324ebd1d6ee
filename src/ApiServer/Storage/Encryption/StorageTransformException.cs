namespace KubeMesh.ApiServer.Storage.Encryption;

/// <summary>A stored value none of the configured providers can read (a removed key, or plaintext where identity is not listed).</summary>
public sealed class StorageTransformException(string message) : Exception(message);
