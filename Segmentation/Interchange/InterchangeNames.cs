using System.Text;

namespace Segmentation.Interchange;

/// <summary>Checks shared by the importers and exporters: instance ids, class names, relative paths, file-name parts.</summary>
internal static class InterchangeNames
{
    /// <summary>Longest accepted instance id.</summary>
    public const int MaxIdLength = 200;

    /// <summary>Why <paramref name="id"/> cannot be an instance id, or null when it can.</summary>
    public static string? InstanceIdProblem(string id)
    {
        if (id.Length == 0) return "the instance id is empty.";
        if (id.Length > MaxIdLength) return $"the instance id is {id.Length} characters long; at most {MaxIdLength} are allowed.";
        if (id.Contains('/')) return $"the instance id '{id}' contains '/'.";
        if (id.Any(char.IsControl)) return $"the instance id '{Printable(id)}' contains a control character.";
        return null;
    }

    /// <summary>Why <paramref name="name"/> cannot be a class name, or null when it can.</summary>
    public static string? ClassNameProblem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the class name is empty.";
        if (name.Any(char.IsControl)) return $"the class name '{Printable(name)}' contains a control character.";
        return null;
    }

    /// <summary>
    /// Why <paramref name="path"/> is not a safe relative file path with '/' separators, or null when it is:
    /// it must be non-empty, not rooted (no leading '/', no drive letter), free of backslashes and control
    /// characters, and every '/'-separated part must be a real name (not empty, not '.' or '..').
    /// </summary>
    public static string? RelativePathProblem(string path)
    {
        if (path.Length == 0) return "the path is empty.";
        if (path.Any(char.IsControl)) return $"the path '{Printable(path)}' contains a control character.";
        if (path.Contains('\\')) return $"the path '{path}' contains a backslash; use '/' as the separator.";
        if (path[0] == '/' || Path.IsPathRooted(path) || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':'))
            return $"the path '{path}' is absolute; it must be relative to the folder.";
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0) return $"the path '{path}' has an empty part ('//' or a trailing '/').";
            if (part is "." or "..") return $"the path '{path}' contains a '{part}' part.";
        }
        return null;
    }

    /// <summary>Keeps ASCII letters, digits, '-' and '_'; every other character becomes '_'.</summary>
    public static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return builder.ToString();
    }

    /// <summary>The text with control characters shown as U+XXXX, for messages.</summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
            if (char.IsControl(c)) builder.Append($"U+{(int)c:X4}");
            else builder.Append(c);
        return builder.ToString();
    }
}
