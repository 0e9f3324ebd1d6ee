namespace KubeMesh.Client;

/// <summary>The result of a List: the items and the revision a watch resumes from to see every later change.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion, string Continue);
