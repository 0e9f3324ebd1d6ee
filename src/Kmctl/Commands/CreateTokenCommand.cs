using Grpc.Core;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.Core.V1;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>
/// kubectl create token SERVICEACCOUNT [--audience A]... [--duration 1h] [--bound-object-kind Pod --bound-object-name P]:
/// asks the api-server for a token (serviceaccounts/token) and prints it alone, so it can be captured.
/// </summary>
internal static class CreateTokenCommand
{
    public static async Task<int> RunAsync(KmctlContext context, string account, CancellationToken cancellationToken)
    {
        var request = new TokenRequest
        {
            Metadata = new() { Name = account, Namespace = context.Namespace },
            Spec = new TokenRequestSpec(),
        };
        request.Spec.Audiences.Add(context.Args.Values("audience"));
        if (context.Args.Value("duration") is { } text)
        {
            if (!GoDuration.TryParse(text, out var duration, out var error) || duration < TimeSpan.Zero)
            {
                throw new CommandException($"error: invalid argument \"{text}\" for \"--duration\" flag: {error}");
            }

            // kubectl: 0 leaves the lifetime to the server; anything else is whole seconds.
            if (duration > TimeSpan.Zero)
            {
                if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
                {
                    throw new CommandException("error: --duration must be positive integer seconds");
                }

                request.Spec.ExpirationSeconds = (long)duration.TotalSeconds;
            }
        }

        var boundKind = context.Args.Value("bound-object-kind");
        var boundName = context.Args.Value("bound-object-name");
        if (boundKind is not null || boundName is not null)
        {
            if (boundKind != "Pod" || string.IsNullOrEmpty(boundName))
            {
                throw new CommandException("error: --bound-object-kind Pod and --bound-object-name NAME go together (Pod is the kind supported)");
            }

            request.Spec.BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = boundName };
        }

        try
        {
            var issued = await context.Api.ServiceAccounts.CreateTokenAsync(request, cancellationToken: cancellationToken);
            context.Out.Write(issued.Status.Token + "\n");
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.Aborted)
        {
            throw new CommandException($"error: failed to create token: {ex.Status.Detail}");
        }

        return 0;
    }
}
