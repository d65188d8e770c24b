using System.Globalization;

namespace Simulator;

/// <summary>A thrown usage error: the message says which option was wrong and why.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" and "--flag" options after a command word; every option must be known.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"Unexpected argument '{arg}': options look like --name value.");
            var name = arg[2..];
            if (values.ContainsKey(name)) throw new UsageException($"Option --{name} is given twice.");
            if (flags.Contains(name))
            {
                values[name] = null;
                continue;
            }
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"Option --{name} needs a value.");
            values[name] = args[++i];
        }
    }

    public bool Flag(string name)
    {
        used.Add(name);
        return values.ContainsKey(name);
    }

    /// <summary>Whether the option was given, without counting it as read.</summary>
    public bool Has(string name) => values.ContainsKey(name);

    public string? Optional(string name)
    {
        used.Add(name);
        return values.TryGetValue(name, out var v) ? v : null;
    }

    public string Required(string name) => Optional(name) ?? throw new UsageException($"Option --{name} is required.");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new UsageException($"Option --{name} must be a whole number, got '{text}'.");
        if (value < min || value > max)
            throw new UsageException($"Option --{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new UsageException($"Option --{name} must be a number, got '{text}'.");
        if (value < min || value > max)
            throw new UsageException($"Option --{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public T Choice<T>(string name, T fallback) where T : struct, Enum
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)) return value;
        var choices = string.Join("|", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        throw new UsageException($"Option --{name} must be one of {choices}, got '{text}'.");
    }

    /// <summary>Fails on options the command did not ask for (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToArray();
        if (unknown.Length > 0)
            throw new UsageException($"Unknown option{(unknown.Length > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }
}
