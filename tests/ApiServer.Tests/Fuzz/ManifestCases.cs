using System.Text.Json;
using CsCheck;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Tests.Validation;

namespace KubeMesh.ApiServer.Tests.Fuzz;

/// <summary>A manifest to try and how it was made, for the report of a failure.</summary>
public sealed record ManifestCase(string Text, string Origin);

/// <summary>
/// CsCheck generators of manifests: the seed manifests (as YAML, or as JSON), each broken by a few mutations, and
/// now and then text made of YAML's punctuation alone.
/// </summary>
internal static class ManifestCases
{
    private const string YamlAlphabet = "ab:- []{},&*!|>'\"%@#?~01.eE+\n\n\n    \t";

    private static readonly (string Name, string Yaml, string Json)[] Seeds = [.. SeedManifests()];

    private static readonly Gen<int> Sizes = Gen.Frequency(
        (6, (IGen<int>)Gen.Int[1, 60]),
        (2, Gen.Int[95, 105]),
        (1, Gen.Int[9_995, 10_005]));

    /// <summary>Mostly changes that keep the YAML readable, so that most cases reach the validators.</summary>
    private static readonly Gen<MutationKind> Kinds = Gen.Frequency(
        (6, MutationKind.OddValue),
        (3, MutationKind.OddNumber),
        (2, MutationKind.DuplicateLine),
        (2, MutationKind.DeleteLine),
        (1, MutationKind.SwapLines),
        (1, MutationKind.ShiftIndent),
        (1, MutationKind.ReplaceChar),
        (1, MutationKind.InsertToken),
        (1, MutationKind.Truncate),
        (1, MutationKind.AnchorAndAlias),
        (1, MutationKind.AliasCycle),
        (1, MutationKind.Laughs),
        (1, MutationKind.DeepFlow),
        (1, MutationKind.DeepBlock));

    private static readonly Gen<ManifestMutation> Mutations = Gen.Select(
        Kinds,
        Gen.Double[0, 1],
        Gen.Double[0, 1],
        Sizes,
        Gen.OneOf(ManifestMutation.Tokens),
        (kind, at, to, size, token) => new ManifestMutation(kind, at, to, size, token));

    private static readonly Gen<ManifestCase> Mutated = Gen.Select(
        Gen.Int[0, Seeds.Length - 1],
        Gen.Frequency((4, false), (1, true)),
        Gen.Frequency((4, (IGen<int>)Gen.Const(1)), (2, Gen.Const(2)), (1, Gen.Int[3, 5])).SelectMany(count => Mutations.Array[count]),
        (seed, json, mutations) =>
        {
            var (name, yaml, jsonText) = Seeds[seed];
            var text = mutations.Aggregate(json ? jsonText : yaml, (t, m) => m.Apply(t));
            return new ManifestCase(text, $"{name}{(json ? " as JSON" : "")}: {string.Join(", ", mutations)}");
        });

    private static readonly Gen<ManifestCase> Punctuation =
        Gen.Char[YamlAlphabet].Array[0, 300].Select(chars => new ManifestCase(new string(chars), "YAML punctuation"));

    public static readonly Gen<ManifestCase> All = Gen.Frequency((9, (IGen<ManifestCase>)Mutated), (1, Punctuation));

    private static IEnumerable<(string, string, string)> SeedManifests()
    {
        foreach (var file in TestManifests.Names("seed"))
        {
            var yaml = TestManifests.Read("seed", file);
            var first = ManifestDocuments.Read(yaml)[0]!;
            yield return (file, yaml, first.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
