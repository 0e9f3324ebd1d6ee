using System.Diagnostics;
using CsCheck;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Tests.Infrastructure;
using KubeMesh.ApiServer.Validation;
using KubeMesh.Client;
using Xunit.Abstractions;

namespace KubeMesh.ApiServer.Tests.Fuzz;

/// <summary>
/// Random and mutated manifests thrown at the decoder and the validators, and a share of them at a real api-server
/// over a real redis-server: nothing may throw but a ManifestException, nothing may hang, every refusal is a status
/// a client can act on, and the store ends up holding only objects that validate. Deterministic: a fixed seed runs
/// the same cases every time; KUBEMESH_FUZZ_SEED (a number) and KUBEMESH_FUZZ_CASES run others, or longer.
/// A failure names the case's CsCheck seed, which generates that one case again.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ManifestFuzzTests(ApiServerFixture fixture, ITestOutputHelper output) : ApiTestBase(fixture), IClassFixture<ApiServerFixture>
{
    private const ulong DefaultSeed = 20_261_213;
    private const int DefaultCases = 4_000;

    /// <summary>Every this-many-th case also goes to the api-server.</summary>
    private const int ApiServerShare = 16;

    /// <summary>Not a performance bound: a case still running after this long is taken for a hang.</summary>
    private static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task DecodeValidateAndApply_RandomAndMutatedManifests_NoCrashNoHangNothingInvalidStored()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("KUBEMESH_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("KUBEMESH_FUZZ_CASES"), out var n) ? n : DefaultCases;
        var pcg = new PCG(1, seed);
        var tally = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var applied = 0;

        for (var i = 0; i < cases; i++)
        {
            var caseSeed = pcg.ToString();
            var manifest = ManifestCases.All.Generate(pcg, null, out _);
            var context = $"case {i} (CsCheck seed {caseSeed}) from {manifest.Origin}";
            string outcome;
            try
            {
                outcome = await Task.Run(() => DecodeAndValidate(manifest.Text, context)).WaitAsync(HangTimeout);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"{context} was still decoding after {HangTimeout}:\n{Shown(manifest.Text)}");
            }

            Count(tally, outcome);

            if (i % ApiServerShare == 0)
            {
                Count(tally, await ApplyAsync(manifest.Text, context));
                applied++;
            }
        }

        var stored = await AssertStoreHoldsOnlyValidObjectsAsync();
        output.WriteLine($"{cases} cases from seed {seed} in {clock.Elapsed.TotalSeconds:F1} s; {applied} of them applied through the api-server; {stored} objects stored, all valid.");
        output.WriteLine(string.Join("; ", tally.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")));
    }

    /// <summary>Decodes, defaults and validates as the api-server would; a ManifestException is a refusal, anything else a bug.</summary>
    private static string DecodeAndValidate(string text, string context)
    {
        IReadOnlyList<ManifestObject> objects;
        try
        {
            objects = ManifestDecoder.Decode(text);
        }
        catch (ManifestException refused)
        {
            Assert.True(refused.Errors.Count > 0 && refused.Errors.All(e => e.Message.Length > 0), $"{context}: a refusal without a reason");
            return "refused by the decoder";
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{context}: the decoder threw {ex}\n{Shown(text)}");
        }

        try
        {
            var invalid = false;
            foreach (var item in objects)
            {
                ObjectDefaulter.Apply(item.Kind, item.Object);
                invalid |= ObjectValidator.ValidateCreate(item.Kind, item.Object).Count > 0;
                invalid |= ObjectValidator.ValidateUpdate(item.Kind, item.Object.Clone(), item.Object).Count > 0;

                // What kmctl prints (get -o yaml / -o json) reads back.
                ManifestDecoder.Decode(ManifestEncoder.ToYaml(item.Object));
                ManifestDecoder.Decode(ManifestEncoder.ToJson(item.Object));
            }

            return invalid ? "decoded, refused by validation" : "decoded and valid";
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{context}: validation or encoding threw {ex}\n{Shown(text)}");
        }
    }

    private async Task<string> ApplyAsync(string text, string context)
    {
        try
        {
            await Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = text, Namespace = Ns }, deadline: Deadline);
            return "applied";
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.Aborted)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Status.Detail), $"{context}: {ex.StatusCode} without a message");
            return $"api-server: {ex.StatusCode}";
        }
        catch (RpcException ex)
        {
            throw new Xunit.Sdk.XunitException($"{context}: the api-server answered {ex.Status}\n{Shown(text)}");
        }
    }

    /// <summary>Every object of every kind, in every namespace, passes the validation a create would apply.</summary>
    private async Task<int> AssertStoreHoldsOnlyValidObjectsAsync()
    {
        var client = new KubeMeshClient(Api.Channel.CreateCallInvoker());
        var count = 0;
        foreach (var kind in ResourceKinds.All)
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            var list = await client.For(kind).ListAsync(new ListRequest(), timeout.Token);
            foreach (var obj in list.Items)
            {
                var errors = ObjectValidator.ValidateCreate(kind, obj);
                Assert.True(errors.Count == 0, $"stored {kind.Kind} {kind.Metadata(obj).Namespace}/{kind.Metadata(obj).Name} is invalid:\n{string.Join("\n", errors)}");
                count++;
            }
        }

        return count;
    }

    private static void Count(Dictionary<string, int> tally, string outcome) =>
        tally[outcome] = tally.GetValueOrDefault(outcome) + 1;

    private static string Shown(string text) => text.Length <= 2000 ? text : text[..2000] + $"... ({text.Length} chars)";
}
