namespace KubeMesh.ApiServer.Storage;

/// <summary>An object's serialized bytes as stored, with the revision of its last write.</summary>
public readonly record struct StoredObject(string Field, long Revision, ReadOnlyMemory<byte> Data);
