namespace KubeMesh.Api.Printing;

/// <summary>
/// One column of a kind's table, as meta.k8s.io/v1 TableColumnDefinition: kubectl upper-cases the name for the
/// header and shows columns of priority above 0 only with -o wide. Format "name" marks the object's name.
/// </summary>
public sealed record TableColumn(string Name, string Type = "string", string Format = "", string Description = "", int Priority = 0)
{
    public static TableColumn ObjectName { get; } = new("Name", Format: "name", Description: "Name must be unique within a namespace.");

    public static TableColumn Age { get; } = new("Age", Description: "The time since the object was created.");

    /// <summary>A column shown only with -o wide.</summary>
    public static TableColumn Wide(string name, string description, string type = "string") => new(name, type, Description: description, Priority: 1);

    public static TableColumn Containers { get; } = Wide("Containers", "Names of each container in the template.");

    public static TableColumn Images { get; } = Wide("Images", "Images referenced by each container in the template.");

    public static TableColumn Selector { get; } = Wide("Selector", "The label selector of the pods this object manages.");
}
