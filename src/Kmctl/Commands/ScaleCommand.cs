using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl scale KIND NAME --replicas=N for deployments, replica sets and stateful sets.</summary>
public sealed class ScaleCommand : ICommand
{
    public string Name => "scale";

    public IReadOnlyList<FlagSpec> Flags { get; } = [FlagSpec.Value("replicas"), FlagSpec.Value("current-replicas")];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var replicas = context.Args.Int("replicas") ?? throw new CommandException("error: required flag(s) \"replicas\" not set");
        if (replicas < 0)
        {
            throw new CommandException("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
        }

        var targets = ResourceTarget.Parse(context.Args.Positionals);
        if (targets.Count == 0 || targets.Any(t => t.Names.Count == 0))
        {
            throw new CommandException("error: resource(s) were provided, but no name was specified");
        }

        foreach (var target in targets)
        {
            var field = target.Kind.HasSpec
                ? target.Kind.Descriptor.FindFieldByName("spec").MessageType.FindFieldByName("replicas")
                : null;
            if (field is null)
            {
                throw new CommandException($"error: no scaler has been implemented for {{\"{target.Kind.Group}\" \"{target.Kind.Kind}\"}}");
            }

            foreach (var name in target.Names)
            {
                await Conflicts.RetryAsync(async () =>
                {
                    var obj = await context.GetAsync(target.Kind, name);
                    CheckCurrent(context, target.Kind, obj, field);
                    field.Accessor.SetValue(target.Kind.Spec(obj)!, replicas);
                    return await context.Api.UpdateAsync(target.Kind, obj);
                });
                await context.Out.WriteLineAsync($"{ObjectNames.Qualified(target.Kind, name)} scaled");
            }
        }

        return 0;
    }

    private static void CheckCurrent(KmctlContext context, ResourceKind kind, Google.Protobuf.IMessage obj, Google.Protobuf.Reflection.FieldDescriptor field)
    {
        if (context.Args.Int("current-replicas") is { } expected && field.Accessor.GetValue(kind.Spec(obj)!) is int current && current != expected)
        {
            throw new CommandException($"error: Expected replicas to be {expected}, was {current}");
        }
    }
}
