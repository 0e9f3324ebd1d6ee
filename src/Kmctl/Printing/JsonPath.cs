using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Printing;

/// <summary>
/// kubectl's JSONPath templates (client-go util/jsonpath): text with {actions}; an action is a path from the object
/// ($ or @ the current one; .field, .field\.with\.dots, ['key'], [n], [start:end:step], [*], .*, ..field, [0,2],
/// ['a','b'], [?(@.x == 'y')] with ==, !=, &lt;, &gt;, &lt;=, &gt;= or existence), a quoted string ({"\n"}), or
/// {range PATH}...{end}. Strings print bare, numbers and booleans as JSON, objects and arrays as compact JSON; one
/// action's results are joined by spaces. A missing key prints nothing (kubectl's --allow-missing-template-keys).
/// </summary>
public sealed class JsonPath
{
    private readonly List<Node> _nodes;

    private JsonPath(List<Node> nodes) => _nodes = nodes;

    /// <exception cref="CommandException">The template does not parse; the message says where.</exception>
    public static JsonPath Parse(string template)
    {
        var parser = new TemplateParser(template);
        return new JsonPath(parser.ParseAll());
    }

    /// <summary>kubectl's RelaxedJSONPathExpression for custom-columns: ".a.b", "a.b" and "{.a.b}" all mean {.a.b}.</summary>
    public static JsonPath ParseRelaxed(string expression)
    {
        var e = expression.Trim();
        if (e.StartsWith('{') && e.EndsWith('}'))
        {
            return Parse(e);
        }

        return Parse("{" + (e.StartsWith('.') || e.StartsWith('$') || e.StartsWith('[') ? e : "." + e) + "}");
    }

    public string Execute(JsonNode? root)
    {
        var output = new StringBuilder();
        Run(_nodes, root, root, output);
        return output.ToString();
    }

    /// <summary>The values the template's single action yields (for custom-columns).</summary>
    public IReadOnlyList<JsonNode?> Values(JsonNode? root) =>
        _nodes is [Action { Path: { } path }] ? Evaluate(path, root, [root]) : [];

    public static string Text(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
    };

    private static void Run(List<Node> nodes, JsonNode? root, JsonNode? current, StringBuilder output)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            switch (nodes[i])
            {
                case Literal literal:
                    output.Append(literal.Text);
                    break;
                case Action { Path: { } path }:
                    output.Append(string.Join(' ', Evaluate(path, root, [current]).Select(Text)));
                    break;
                case Range range:
                    foreach (var item in Evaluate(range.Path, root, [current]).SelectMany(Spread))
                    {
                        Run(range.Body, root, item, output);
                    }

                    break;
            }
        }
    }

    /// <summary>range over an array walks its items; over anything else, the thing itself.</summary>
    private static IEnumerable<JsonNode?> Spread(JsonNode? node) => node is JsonArray array ? array : new[] { node };

    private static List<JsonNode?> Evaluate(List<Step> path, JsonNode? root, List<JsonNode?> start)
    {
        var current = start;
        foreach (var step in path)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                step.Apply(root, node, next);
            }

            current = next;
        }

        return current;
    }

    private abstract record Node;

    private sealed record Literal(string Text) : Node;

    private sealed record Action(List<Step>? Path) : Node;

    private sealed record Range(List<Step> Path, List<Node> Body) : Node;

    private abstract record Step
    {
        public abstract void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results);
    }

    private sealed record RootStep : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results) => results.Add(root);
    }

    private sealed record FieldStep(string Name) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(Name, out var value))
            {
                results.Add(value);
            }
        }
    }

    private sealed record WildcardStep : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            switch (node)
            {
                case JsonObject obj:
                    results.AddRange(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));
                    break;
                case JsonArray array:
                    results.AddRange(array);
                    break;
            }
        }
    }

    private sealed record RecursiveStep(string Name) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj.TryGetPropertyValue(Name, out var value))
                    {
                        results.Add(value);
                    }

                    foreach (var (_, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        Apply(root, child, results);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Apply(root, child, results);
                    }

                    break;
            }
        }
    }

    private sealed record KeysStep(List<string> Keys) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            foreach (var key in Keys)
            {
                if (node is JsonObject obj && obj.TryGetPropertyValue(key, out var value))
                {
                    results.Add(value);
                }
            }
        }
    }

    private sealed record IndexesStep(List<int> Indexes) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            if (node is not JsonArray array)
            {
                return;
            }

            foreach (var index in Indexes)
            {
                var i = index < 0 ? array.Count + index : index;
                if (i >= 0 && i < array.Count)
                {
                    results.Add(array[i]);
                }
            }
        }
    }

    private sealed record SliceStep(int? Start, int? End, int Step) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            if (node is not JsonArray array)
            {
                return;
            }

            static int Clamp(int value, int count) => Math.Clamp(value < 0 ? count + value : value, 0, count);
            var start = Clamp(Start ?? 0, array.Count);
            var end = Clamp(End ?? array.Count, array.Count);
            for (var i = start; i < end; i += Step)
            {
                results.Add(array[i]);
            }
        }
    }

    private sealed record FilterStep(List<Step> Left, string? Operator, JsonNode? Right) : Step
    {
        public override void Apply(JsonNode? root, JsonNode? node, List<JsonNode?> results)
        {
            foreach (var item in Spread(node))
            {
                var left = Evaluate(Left, root, [item]);
                if (Operator is null ? left.Count > 0 : left.Any(value => Compare(value, Operator, Right)))
                {
                    results.Add(item);
                }
            }
        }

        private static bool Compare(JsonNode? left, string op, JsonNode? right)
        {
            if (left is JsonValue l && right is JsonValue r && l.TryGetValue<double>(out var a) && r.TryGetValue<double>(out var b))
            {
                return op switch { "==" => a == b, "!=" => a != b, "<" => a < b, ">" => a > b, "<=" => a <= b, _ => a >= b };
            }

            var x = Text(left);
            var y = Text(right);
            var order = string.CompareOrdinal(x, y);
            return op switch { "==" => order == 0, "!=" => order != 0, "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
        }
    }

    private sealed class TemplateParser(string template)
    {
        private int _pos;

        public List<Node> ParseAll()
        {
            var stack = new Stack<(List<Step> Path, List<Node> Body)>();
            var nodes = new List<Node>();
            var literal = new StringBuilder();
            while (_pos < template.Length)
            {
                var c = template[_pos];
                if (c != '{')
                {
                    literal.Append(c);
                    _pos++;
                    continue;
                }

                if (literal.Length > 0)
                {
                    nodes.Add(new Literal(literal.ToString()));
                    literal.Clear();
                }

                var close = FindClose(_pos);
                var inside = template[(_pos + 1)..close].Trim();
                var at = _pos;
                _pos = close + 1;
                if (inside == "end")
                {
                    if (stack.Count == 0)
                    {
                        throw Error(at, "not in range, nothing to end");
                    }

                    var (path, outer) = stack.Pop();
                    outer.Add(new Range(path, nodes));
                    nodes = outer;
                }
                else if (inside.StartsWith("range ", StringComparison.Ordinal) || inside.StartsWith("range\t", StringComparison.Ordinal))
                {
                    if (stack.Count == MaxNesting)
                    {
                        throw Error(at, $"ranges nested deeper than {MaxNesting}");
                    }

                    stack.Push((new PathParser(inside[6..].Trim(), template, at).Parse(), nodes));
                    nodes = [];
                }
                else if (inside.Length >= 2 && inside[0] is '"' or '\'' && inside[^1] == inside[0])
                {
                    nodes.Add(new Literal(Unquote(inside, at)));
                }
                else
                {
                    nodes.Add(new Action(inside.Length == 0 ? [] : new PathParser(inside, template, at).Parse()));
                }
            }

            if (literal.Length > 0)
            {
                nodes.Add(new Literal(literal.ToString()));
            }

            return stack.Count == 0 ? nodes : throw Error(template.Length, "unclosed action: a {range} has no {end}");
        }

        private int FindClose(int open)
        {
            char? quote = null;
            var depth = 0;
            for (var i = open + 1; i < template.Length; i++)
            {
                var c = template[i];
                if (quote is not null)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = null;
                    }
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c == '{')
                {
                    depth++;
                }
                else if (c == '}')
                {
                    if (depth-- == 0)
                    {
                        return i;
                    }
                }
            }

            throw Error(open, "unclosed action");
        }

        private string Unquote(string quoted, int at)
        {
            try
            {
                return quoted[0] == '"' ? JsonSerializer.Deserialize<string>(quoted)! : quoted[1..^1].Replace("\\'", "'", StringComparison.Ordinal);
            }
            catch (JsonException)
            {
                throw Error(at, $"invalid string {quoted}");
            }
        }

        private CommandException Error(int at, string why) => JsonPathError(template, at, why);
    }

    private static CommandException JsonPathError(string template, int at, string why) =>
        new($"error: error parsing jsonpath {template}, {why} (at {at.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>
    /// How deep {range} blocks and [?()] filters may nest: each level is a frame when the template runs, and no
    /// template a person writes comes near it, while one built by a script could run kmctl out of stack.
    /// </summary>
    private const int MaxNesting = 64;

    /// <summary>One action's path: $, @, .a, ..a, .*, [..], [?(..)]; <paramref name="depth"/> is how many filters it is inside.</summary>
    private sealed class PathParser(string text, string template, int at, int depth = 0)
    {
        private int _pos;

        public List<Step> Parse()
        {
            var steps = new List<Step>();
            if (text is "$" or "@" or ".")
            {
                return text == "$" ? [new RootStep()] : steps;
            }

            if (_pos < text.Length && text[_pos] == '$')
            {
                steps.Add(new RootStep());
                _pos++;
            }
            else if (_pos < text.Length && text[_pos] == '@')
            {
                _pos++;
            }

            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '.' && Peek(1) == '.')
                {
                    _pos += 2;
                    steps.Add(new RecursiveStep(Name()));
                }
                else if (c == '.' && Peek(1) == '*')
                {
                    _pos += 2;
                    steps.Add(new WildcardStep());
                }
                else if (c == '.')
                {
                    _pos++;
                    if (_pos == text.Length)
                    {
                        break;
                    }

                    steps.Add(new FieldStep(Name()));
                }
                else if (c == '[')
                {
                    steps.Add(Bracket());
                }
                else
                {
                    throw Error($"unrecognized character in action: U+{(int)c:X4} '{c}'");
                }
            }

            return steps;
        }

        private char Peek(int ahead) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';

        private string Name()
        {
            var name = new StringBuilder();
            while (_pos < text.Length && text[_pos] is not ('.' or '['))
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length)
                {
                    _pos++;
                }
                else if (char.IsWhiteSpace(text[_pos]))
                {
                    throw Error("unexpected space in a field name");
                }

                name.Append(text[_pos++]);
            }

            return name.Length > 0 ? name.ToString() : throw Error("a field name is missing");
        }

        private Step Bracket()
        {
            var close = FindBracketClose(_pos);
            var inside = text[(_pos + 1)..close].Trim();
            _pos = close + 1;
            if (inside == "*")
            {
                return new WildcardStep();
            }

            if (inside.StartsWith("?(", StringComparison.Ordinal) && inside.EndsWith(')'))
            {
                return Filter(inside[2..^1].Trim());
            }

            if (inside.Length > 0 && inside[0] is '\'' or '"')
            {
                return new KeysStep(SplitOutsideQuotes(inside).Select(k => Unquote(k.Trim())).ToList());
            }

            if (inside.Contains(':', StringComparison.Ordinal))
            {
                var parts = inside.Split(':');
                if (parts.Length > 3)
                {
                    throw Error($"invalid array slice [{inside}]");
                }

                int? Part(int i) => i < parts.Length && parts[i].Trim().Length > 0 ? Number(parts[i]) : null;
                var step = Part(2) ?? 1;
                return step > 0 ? new SliceStep(Part(0), Part(1), step) : throw Error($"invalid array slice [{inside}]: the step must be positive");
            }

            return new IndexesStep(inside.Split(',').Select(Number).ToList());
        }

        private Step Filter(string condition)
        {
            if (depth == MaxNesting)
            {
                throw Error($"filters nested deeper than {MaxNesting}");
            }

            string[] operators = ["==", "!=", "<=", ">=", "<", ">"];
            foreach (var op in operators)
            {
                var i = IndexOutsideQuotes(condition, op);
                if (i > 0)
                {
                    var left = new PathParser(condition[..i].Trim(), template, at, depth + 1).Parse();
                    return new FilterStep(left, op, Operand(condition[(i + op.Length)..].Trim()));
                }
            }

            return new FilterStep(new PathParser(condition, template, at, depth + 1).Parse(), null, null);
        }

        private JsonNode? Operand(string text)
        {
            if (text.Length >= 2 && text[0] is '\'' or '"' && text[^1] == text[0])
            {
                return JsonValue.Create(Unquote(text));
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }

            return text switch
            {
                "true" => JsonValue.Create(true),
                "false" => JsonValue.Create(false),
                _ => throw Error($"unrecognized filter value {text}: quote a string, as in [?(@.name=='{text}')]"),
            };
        }

        private int FindBracketClose(int open)
        {
            char? quote = null;
            var depth = 0;
            for (var i = open + 1; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is not null)
                {
                    quote = c == quote ? null : quote;
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '[')
                {
                    depth++;
                }
                else if (c == ']' && depth-- == 0)
                {
                    return i;
                }
            }

            throw Error("unterminated array");
        }

        private static int IndexOutsideQuotes(string s, string token)
        {
            char? quote = null;
            for (var i = 0; i + token.Length <= s.Length; i++)
            {
                if (quote is not null)
                {
                    quote = s[i] == quote ? null : quote;
                }
                else if (s[i] is '\'' or '"')
                {
                    quote = s[i];
                }
                else if (string.CompareOrdinal(s, i, token, 0, token.Length) == 0)
                {
                    return i;
                }
            }

            return -1;
        }

        private static List<string> SplitOutsideQuotes(string s)
        {
            var parts = new List<string>();
            char? quote = null;
            var start = 0;
            for (var i = 0; i < s.Length; i++)
            {
                if (quote is not null)
                {
                    quote = s[i] == quote ? null : quote;
                }
                else if (s[i] is '\'' or '"')
                {
                    quote = s[i];
                }
                else if (s[i] == ',')
                {
                    parts.Add(s[start..i]);
                    start = i + 1;
                }
            }

            parts.Add(s[start..]);
            return parts;
        }

        private string Unquote(string quoted) =>
            quoted.Length >= 2 && quoted[0] is '\'' or '"' && quoted[^1] == quoted[0] ? quoted[1..^1] : throw Error($"invalid key {quoted}");

        private int Number(string s) =>
            int.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw Error($"invalid array index {s.Trim()}");

        private CommandException Error(string why) => JsonPathError(template, at, why);
    }
}
