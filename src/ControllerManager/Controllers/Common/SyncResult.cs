namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>One finished sync of a key: when it started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) and its error, if any.</summary>
public readonly record struct SyncResult<TKey>(TKey Key, long Started, Exception? Error);
