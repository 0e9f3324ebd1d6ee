namespace KubeMesh.Api.Selectors;

/// <summary>
/// Parses Kubernetes' label selector syntax ("a=b,c!=d,e in (x,y),f notin (z),g,!h"), following the grammar of
/// k8s.io/apimachinery/pkg/labels: requirements separated by commas, whitespace allowed between tokens.
/// </summary>
internal sealed class LabelSelectorParser(string input)
{
    private readonly List<(TokenKind Kind, string Text, int Position)> _tokens = Tokenize(input);
    private int _next;

    private enum TokenKind
    {
        Identifier,
        Comma,
        Equals,
        DoubleEquals,
        NotEquals,
        Not,
        OpenParen,
        CloseParen,
        End,
    }

    public List<LabelRequirement> Parse()
    {
        var requirements = new List<LabelRequirement>();
        if (Peek().Kind == TokenKind.End)
        {
            return requirements;
        }

        while (true)
        {
            requirements.Add(ParseRequirement());
            var token = Take();
            if (token.Kind == TokenKind.End)
            {
                return requirements;
            }

            if (token.Kind != TokenKind.Comma)
            {
                throw Error(token, "expected ',' or end of selector");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var token = Take();
        if (token.Kind == TokenKind.Not)
        {
            return Build(ExpectIdentifier("a label key after '!'"), SelectionOperator.DoesNotExist, []);
        }

        if (token.Kind != TokenKind.Identifier)
        {
            throw Error(token, "expected a label key");
        }

        var key = token;
        var op = Peek();
        switch (op.Kind)
        {
            case TokenKind.Comma or TokenKind.End:
                return Build(key, SelectionOperator.Exists, []);
            case TokenKind.Equals or TokenKind.DoubleEquals or TokenKind.NotEquals:
                Take();
                var value = Peek().Kind == TokenKind.Identifier ? Take().Text : "";
                return Build(key, op.Kind == TokenKind.NotEquals ? SelectionOperator.NotEquals : SelectionOperator.Equals, [value]);
            case TokenKind.Identifier when op.Text is "in" or "notin":
                Take();
                return Build(key, op.Text == "in" ? SelectionOperator.In : SelectionOperator.NotIn, ParseValueSet());
            default:
                throw Error(op, "expected one of '=', '==', '!=', 'in', 'notin', ',' or end of selector");
        }
    }

    private List<string> ParseValueSet()
    {
        var open = Take();
        if (open.Kind != TokenKind.OpenParen)
        {
            throw Error(open, "expected '(' to start a set of values");
        }

        var values = new List<string>();
        if (Peek().Kind == TokenKind.CloseParen)
        {
            Take();
            return values;
        }

        while (true)
        {
            values.Add(Peek().Kind == TokenKind.Identifier ? Take().Text : "");
            var token = Take();
            if (token.Kind == TokenKind.CloseParen)
            {
                return values;
            }

            if (token.Kind != TokenKind.Comma)
            {
                throw Error(token, "expected ',' or ')' in a set of values");
            }
        }
    }

    private (TokenKind Kind, string Text, int Position) ExpectIdentifier(string what)
    {
        var token = Take();
        return token.Kind == TokenKind.Identifier ? token : throw Error(token, "expected " + what);
    }

    private LabelRequirement Build((TokenKind Kind, string Text, int Position) key, SelectionOperator op, List<string> values)
    {
        try
        {
            return new LabelRequirement(key.Text, op, values);
        }
        catch (FormatException e)
        {
            throw new FormatException($"unable to parse label selector \"{input}\": {e.Message}", e);
        }
    }

    private (TokenKind Kind, string Text, int Position) Peek() => _tokens[_next];

    private (TokenKind Kind, string Text, int Position) Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private FormatException Error((TokenKind Kind, string Text, int Position) token, string expected)
    {
        var found = token.Kind == TokenKind.End ? "end of selector" : $"'{token.Text}'";
        return new FormatException($"unable to parse label selector \"{input}\": {expected}, found {found} at position {token.Position}");
    }

    private static List<(TokenKind, string, int)> Tokenize(string s)
    {
        var tokens = new List<(TokenKind, string, int)>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            (TokenKind Kind, int Length)? symbol = c switch
            {
                ',' => (TokenKind.Comma, 1),
                '(' => (TokenKind.OpenParen, 1),
                ')' => (TokenKind.CloseParen, 1),
                '=' when At(s, i + 1, '=') => (TokenKind.DoubleEquals, 2),
                '=' => (TokenKind.Equals, 1),
                '!' when At(s, i + 1, '=') => (TokenKind.NotEquals, 2),
                '!' => (TokenKind.Not, 1),
                _ => null,
            };
            if (symbol is { } sym)
            {
                tokens.Add((sym.Kind, s.Substring(i, sym.Length), start));
                i += sym.Length;
                continue;
            }

            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not (',' or '(' or ')' or '=' or '!'))
            {
                i++;
            }

            tokens.Add((TokenKind.Identifier, s[start..i], start));
        }

        tokens.Add((TokenKind.End, "", s.Length));
        return tokens;
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;
}
