namespace KubeMesh.Kmctl.Cli;

/// <summary>
/// Parses kubectl's grammar (pflag with interspersed flags): --name=value, --name value, -n value, -nvalue,
/// -n=value, boolean flags without a value (or --flag=false), clustered boolean shorthands (-Aw), and "--".
/// </summary>
public static class ArgParser
{
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> specs)
    {
        var parsed = new ParsedArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                parsed.AfterDashes = args.Skip(i + 1).ToList();
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                i = ParseLong(args, i, specs, parsed);
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                i = ParseShort(args, i, specs, parsed);
            }
            else
            {
                parsed.Positionals.Add(arg);
            }
        }

        return parsed;
    }

    private static int ParseLong(IReadOnlyList<string> args, int i, IReadOnlyList<FlagSpec> specs, ParsedArgs parsed)
    {
        var body = args[i][2..];
        var eq = body.IndexOf('=');
        var name = eq >= 0 ? body[..eq] : body;
        var spec = specs.FirstOrDefault(s => s.Name == name) ?? throw new UsageException($"unknown flag: --{name}");
        if (eq >= 0)
        {
            parsed.Add(name, body[(eq + 1)..]);
            return i;
        }

        if (!spec.TakesValue)
        {
            parsed.Add(name, "true");
            return i;
        }

        if (i + 1 >= args.Count)
        {
            throw new UsageException($"flag needs an argument: --{name}");
        }

        parsed.Add(name, args[i + 1]);
        return i + 1;
    }

    private static int ParseShort(IReadOnlyList<string> args, int i, IReadOnlyList<FlagSpec> specs, ParsedArgs parsed)
    {
        var body = args[i][1..];
        for (var j = 0; j < body.Length; j++)
        {
            var c = body[j];
            var spec = specs.FirstOrDefault(s => s.Shorthand == c)
                ?? throw new UsageException($"unknown shorthand flag: '{c}' in -{body}");
            if (!spec.TakesValue)
            {
                parsed.Add(spec.Name, body.Length > j + 1 && body[j + 1] == '=' ? body[(j + 2)..] : "true");
                if (body.Length > j + 1 && body[j + 1] == '=')
                {
                    return i;
                }

                continue;
            }

            var rest = body[(j + 1)..];
            if (rest.Length > 0)
            {
                parsed.Add(spec.Name, rest.StartsWith('=') ? rest[1..] : rest);
                return i;
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"flag needs an argument: '{c}' in -{c}");
            }

            parsed.Add(spec.Name, args[i + 1]);
            return i + 1;
        }

        return i;
    }
}
