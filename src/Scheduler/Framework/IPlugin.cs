namespace KubeMesh.Scheduler.Framework;

/// <summary>A scheduling plugin; its name appears in logs and in the statuses it returns.</summary>
public interface IPlugin
{
    string Name { get; }
}
