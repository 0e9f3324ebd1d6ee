using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Turns YAML into JSON trees one parser event at a time, never by recursion, so that no document can overflow the
/// thread's stack. It holds the limits go-yaml holds for kubectl and kube-apiserver: nesting at most
/// <see cref="ApiLimits.MaxNestingDepth"/> deep (<see cref="ApiLimits.MaxYamlFlowDepth"/> for flow collections),
/// no alias inside the node its anchor names, and alias expansion within the <see cref="AliasBudget"/>.
/// Quoted and plain scalars stay apart: plain <c>80</c> is a number, <c>"80"</c> a string, exactly as kubectl's
/// YAML-to-JSON conversion has it.
/// </summary>
internal sealed class YamlTreeReader
{
    private const string StringTag = "tag:yaml.org,2002:str";

    private readonly JsonTreeBuilder _tree = new();
    private readonly List<Opened> _opened = [];
    private readonly Dictionary<string, Anchor> _anchors = new(StringComparer.Ordinal);
    private AliasBudget _budget = new();
    private int _flowDepth;

    /// <summary>Every document of <paramref name="text"/>; a syntax error or a broken limit throws YamlException.</summary>
    public static IReadOnlyList<JsonNode?> Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        var reader = new YamlTreeReader();
        var documents = new List<JsonNode?>();
        while (MoveNext(parser))
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    reader.StartDocument();
                    break;
                case DocumentEnd:
                    documents.Add(reader._tree.Root);
                    break;
                case Scalar scalar:
                    reader.OnScalar(scalar);
                    break;
                case MappingStart mapping:
                    reader.OnCollectionStart(mapping, new JsonObject(), mapping.Style == MappingStyle.Flow);
                    break;
                case SequenceStart sequence:
                    reader.OnCollectionStart(sequence, new JsonArray(), sequence.Style == SequenceStyle.Flow);
                    break;
                case MappingEnd or SequenceEnd:
                    reader.OnCollectionEnd();
                    break;
                case AnchorAlias alias:
                    reader.OnAlias(alias);
                    break;
            }
        }

        return documents;
    }

    /// <summary>
    /// The parser's next event. On some malformed input (a document end marker before a flow collection) YamlDotNet
    /// fails with InvalidOperationException rather than a YamlException: it is a syntax error all the same.
    /// </summary>
    private static bool MoveNext(Parser parser)
    {
        var last = parser.Current?.End ?? Mark.Empty;
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException e)
        {
            throw new YamlException(last, last, $"did not find the expected content after this point ({e.Message})");
        }
    }

    private void StartDocument()
    {
        // Anchors, like go-yaml's alias budget, belong to one document.
        _tree.Reset();
        _opened.Clear();
        _anchors.Clear();
        _budget = new AliasBudget();
        _flowDepth = 0;
    }

    private void OnScalar(Scalar scalar)
    {
        _budget.Decoded();
        var text = scalar.Value ?? "";
        var isKey = _tree.ExpectsKey;
        var node = isKey && scalar.Anchor.IsEmpty ? null : Typed(scalar, text);
        if (!scalar.Anchor.IsEmpty)
        {
            Name(scalar, new Anchor { Node = node, Nodes = 1, Text = text, Complete = true });
        }

        if (isKey)
        {
            Key(text, scalar);
        }
        else
        {
            _tree.Value(node);
        }
    }

    private static JsonNode? Typed(Scalar scalar, string text) =>
        (scalar.Tag.IsEmpty ? scalar.Style is not ScalarStyle.Plain : scalar.Tag.Value == StringTag)
            ? JsonValue.Create(text)
            : YamlScalars.FromPlain(text);

    private void OnCollectionStart(NodeEvent start, JsonNode node, bool flow)
    {
        if (_tree.Depth >= ApiLimits.MaxNestingDepth)
        {
            throw new YamlException(start.Start, start.End, $"exceeded max depth of {ApiLimits.MaxNestingDepth}");
        }

        if (flow && _flowDepth >= ApiLimits.MaxYamlFlowDepth)
        {
            throw new YamlException(start.Start, start.End, $"exceeded max depth of {ApiLimits.MaxYamlFlowDepth} for flow collections ([...] and {{...}})");
        }

        if (_tree.ExpectsKey)
        {
            throw new YamlException(start.Start, start.End, "invalid map key: a mapping key must be a scalar");
        }

        _opened.Add(new Opened(start.Anchor.IsEmpty ? null : Name(start, new Anchor()), _budget.Count, flow));
        _budget.Decoded();
        _flowDepth += flow ? 1 : 0;
        _tree.Open(node);
    }

    private void OnCollectionEnd()
    {
        var opened = _opened[^1];
        _opened.RemoveAt(_opened.Count - 1);
        _flowDepth -= opened.Flow ? 1 : 0;
        var node = _tree.Close();
        if (opened.Anchor is { } anchor)
        {
            anchor.Node = node;
            anchor.Nodes = _budget.Count - opened.CountedBefore;
            anchor.Complete = true;
        }
    }

    private void OnAlias(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (!_anchors.TryGetValue(name, out var anchor))
        {
            throw new YamlException(alias.Start, alias.End, $"unknown anchor \"{name}\" referenced");
        }

        if (!anchor.Complete)
        {
            throw new YamlException(alias.Start, alias.End, $"anchor \"{name}\" value contains itself");
        }

        _budget.Decoded();
        if (_tree.ExpectsKey)
        {
            Key(anchor.Text ?? throw new YamlException(alias.Start, alias.End, "invalid map key: a mapping key must be a scalar"), alias);
            return;
        }

        if (!_budget.TryExpand(anchor.Nodes))
        {
            throw new YamlException(alias.Start, alias.End,
                $"document contains excessive aliasing: *{name} would add {anchor.Nodes} nodes to the {_budget.Count} read so far");
        }

        _tree.Value(JsonTreeBuilder.Clone(anchor.Node));
    }

    private void Key(string text, ParsingEvent source)
    {
        if (!_tree.Key(text))
        {
            throw new YamlException(source.Start, source.End, $"mapping key \"{text}\" already defined");
        }
    }

    /// <summary>Names a node by its anchor; a later anchor of the same name replaces it, as in YAML.</summary>
    private Anchor Name(NodeEvent node, Anchor anchor)
    {
        _anchors[node.Anchor.Value] = anchor;
        return anchor;
    }

    private sealed record Opened(Anchor? Anchor, long CountedBefore, bool Flow);

    private sealed class Anchor
    {
        public JsonNode? Node { get; set; }

        /// <summary>How many nodes the anchored node decodes to, its own aliases expanded.</summary>
        public long Nodes { get; set; }

        /// <summary>A scalar's text, so that an alias of it may serve as a mapping key.</summary>
        public string? Text { get; init; }

        /// <summary>False while the anchored node is still being read: an alias to it then would contain itself.</summary>
        public bool Complete { get; set; }
    }
}
