namespace KubeMesh.Dns.Records;

/// <summary>One SRV answer: the port a named service port is served on, and the name that serves it.</summary>
public sealed record SrvTarget(ushort Port, string Target);
