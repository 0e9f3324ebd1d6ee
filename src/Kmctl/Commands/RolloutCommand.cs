using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Describe;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl rollout status|history|undo for deployments (deployment/NAME or deployment NAME).</summary>
public sealed class RolloutCommand : ICommand
{
    public string Name => "rollout";

    public IReadOnlyList<FlagSpec> Flags { get; } =
        [FlagSpec.Value("to-revision"), FlagSpec.Value("revision"), FlagSpec.Value("timeout"), FlagSpec.Value("watch", 'w')];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var words = context.Args.Positionals;
        if (words.Count == 0 || words[0] is not ("status" or "history" or "undo"))
        {
            throw new CommandException("error: expected one of: history, status, undo");
        }

        var targets = ResourceTarget.Parse(words.Skip(1).ToList());
        if (targets.Count != 1 || targets[0].Names.Count != 1)
        {
            throw new CommandException("error: required resource not specified");
        }

        var (kind, name) = (targets[0].Kind, targets[0].Names[0]);
        if (kind != ResourceKinds.Deployment)
        {
            throw new CommandException($"error: no {words[0]} viewer has been implemented for {{\"{kind.Group}\" \"{kind.Kind}\"}}");
        }

        return words[0] switch
        {
            "status" => await StatusAsync(context, name, cancellationToken),
            "history" => await HistoryAsync(context, name),
            _ => await UndoAsync(context, name),
        };
    }

    private static async Task<int> HistoryAsync(KmctlContext context, string name)
    {
        var deployment = (Deployment)await context.GetAsync(ResourceKinds.Deployment, name);
        var history = await DeploymentHistory.ListAsync(context, deployment);
        var title = ObjectNames.Qualified(ResourceKinds.Deployment, name);
        if (context.Args.Int("revision") is { } revision and > 0)
        {
            var match = history.FirstOrDefault(h => h.Revision == revision).ReplicaSet
                ?? throw new CommandException($"error: unable to find the specified revision");
            await context.Out.WriteLineAsync($"{title} with revision #{revision}");
            await context.Out.WriteAsync(PodTemplateDescriber.Describe(match.Spec.Template));
            return 0;
        }

        List<IReadOnlyList<string>> rows = [["REVISION", "CHANGE-CAUSE"]];
        rows.AddRange(history.Select(h => (IReadOnlyList<string>)
            [h.Revision.ToString(), h.ReplicaSet.Metadata.Annotations.TryGetValue(DeploymentHistory.ChangeCauseAnnotation, out var cause) ? cause : "<none>"]));
        // History is printed through kubectl's TabbedString writer (padding 2), not the get tables' writer.
        var table = new TabWriter(minWidth: 0, padding: 2).Format(string.Concat(rows.Select(r => string.Join("\t", r) + "\n")));
        await context.Out.WriteAsync($"{title} \n{table}\n");
        return 0;
    }

    private static async Task<int> UndoAsync(KmctlContext context, string name)
    {
        var toRevision = context.Args.Int("to-revision") ?? 0;
        var title = ObjectNames.Qualified(ResourceKinds.Deployment, name);
        var verdict = await Conflicts.RetryAsync(async () =>
        {
            var deployment = (Deployment)await context.GetAsync(ResourceKinds.Deployment, name);
            var history = await DeploymentHistory.ListAsync(context, deployment);
            if (history.Count == 0)
            {
                throw new CommandException($"error: no rollout history found for deployment \"{name}\"");
            }

            var (revision, target) = toRevision > 0
                ? history.FirstOrDefault(h => h.Revision == toRevision) is { ReplicaSet: not null } found ? found
                    : throw new CommandException($"error: unable to find specified revision {toRevision} in history")
                : history.Count >= 2 ? history[^2]
                    : throw new CommandException("error: no last revision to roll back to");
            if (!DeploymentHistory.RollBack(deployment, target))
            {
                return $"skipped rollback (current template already matches revision {revision})";
            }

            await context.Api.UpdateAsync(ResourceKinds.Deployment, deployment);
            return "rolled back";
        });
        await context.Out.WriteLineAsync($"{title} {verdict}");
        return 0;
    }

    private static async Task<int> StatusAsync(KmctlContext context, string name, CancellationToken cancellationToken)
    {
        var watch = context.Args.Value("watch") is not ("false" or "False" or "0");
        var timeout = Durations.Parse(context.Args.Value("timeout"), TimeSpan.Zero, "timeout");
        var deadline = timeout > TimeSpan.Zero ? context.Now + timeout : DateTimeOffset.MaxValue;
        string? last = null;
        while (true)
        {
            var deployment = (Deployment)await context.GetAsync(ResourceKinds.Deployment, name);
            var (message, done) = DeploymentHistory.Status(deployment);
            if (message != last)
            {
                await context.Out.WriteLineAsync(message);
                await context.Out.FlushAsync(cancellationToken);
                last = message;
            }

            if (done || !watch)
            {
                return 0;
            }

            if (context.Now >= deadline)
            {
                throw new CommandException("error: timed out waiting for the condition");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }
}
