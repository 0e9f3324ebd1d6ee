namespace KubeMesh.Kmctl.Printing;

public enum OutputKind
{
    Table,
    Wide,
    Yaml,
    Json,
    Name,
    JsonPath,
    CustomColumns,
}
