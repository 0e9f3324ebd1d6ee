namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// What a plugin decided, with reasons a person can read ("Insufficient cpu"). The reasons of every node are
/// counted into the FailedScheduling message, so each reason is a short phrase shared by all nodes it applies to.
/// </summary>
public sealed class Status
{
    private Status(StatusCode code, IReadOnlyList<string> reasons, string plugin = "")
    {
        Code = code;
        Reasons = reasons;
        Plugin = plugin;
    }

    public static Status Success { get; } = new(StatusCode.Success, []);

    public StatusCode Code { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The plugin that returned the status, filled in by the framework.</summary>
    public string Plugin { get; }

    public bool IsSuccess => Code == StatusCode.Success;

    public string Message => string.Join(", ", Reasons);

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons);

    public static Status UnschedulableAndUnresolvable(params string[] reasons) =>
        new(StatusCode.UnschedulableAndUnresolvable, reasons);

    public static Status Error(string message) => new(StatusCode.Error, [message]);

    /// <summary>The status as returned by <paramref name="plugin"/>; a status made once, already naming it, is reused as it is.</summary>
    public Status WithPlugin(string plugin) => ReferenceEquals(Plugin, plugin) || Plugin == plugin ? this : new(Code, Reasons, plugin);

    public override string ToString() => IsSuccess ? "Success" : $"{Code} ({Plugin}): {Message}";
}
