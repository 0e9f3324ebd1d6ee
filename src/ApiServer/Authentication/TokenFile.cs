using System.Security.Cryptography;
using System.Text;

namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// kube-apiserver's static token file (--token-auth-file): one credential per line as CSV,
/// <c>token,user,uid,"group1,group2"</c>; the groups column is optional, blank lines and lines starting with # are
/// skipped. A malformed file stops the api-server at start with the line and what is wrong.
/// </summary>
public sealed class TokenFile
{
    private readonly Dictionary<string, UserInfo> _users;

    private TokenFile(Dictionary<string, UserInfo> users) => _users = users;

    public int Count => _users.Count;

    public static TokenFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{AuthenticationOptions.Section}:TokenAuthFile: Invalid value: \"{path}\": no such file");
        }

        return Parse(File.ReadAllLines(path), path);
    }

    public static TokenFile Parse(IEnumerable<string> lines, string source)
    {
        var users = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = Csv(line, source, number);
            if (fields.Count < 3)
            {
                throw new InvalidOperationException($"{source}:{number}: token file lines need at least 3 columns (token,user,uid[,\"group1,group2\"]), got {fields.Count}");
            }

            var (token, name, uid) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim());
            if (token.Length == 0 || name.Length == 0)
            {
                throw new InvalidOperationException($"{source}:{number}: {(token.Length == 0 ? "token" : "user")} must not be empty");
            }

            var groups = fields.Count > 3
                ? fields[3].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [];
            if (!users.TryAdd(token, new UserInfo(name, uid, groups)))
            {
                throw new InvalidOperationException($"{source}:{number}: the token of user \"{name}\" is already given to user \"{users[token].Name}\"");
            }
        }

        return new TokenFile(users);
    }

    /// <summary>The user a token names, compared in constant time so the answer's timing says nothing of other tokens.</summary>
    public UserInfo? Find(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        UserInfo? found = null;
        foreach (var (known, user) in _users)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(known), given))
            {
                found = user;
            }
        }

        return found;
    }

    private static List<string> Csv(string line, string source, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.ToString().Trim().Length == 0)
            {
                field.Clear();
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new InvalidOperationException($"{source}:{number}: a quoted field is not closed");
        }

        fields.Add(field.ToString());
        return fields;
    }
}
