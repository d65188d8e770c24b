using System.Text;

namespace Segmentation.Interchange;

/// <summary>One CSV record and the file line it starts on; <see cref="Error"/> is set when it is malformed.</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error = null);

/// <summary>
/// A small RFC 4180 reader: comma-separated fields, double-quoted fields that may contain commas, line
/// breaks and doubled quotes (<c>""</c>). Lines end with LF, CRLF or CR; blank lines are skipped but counted.
/// </summary>
/// <remarks>
/// Lenient where it costs nothing: a quote inside an unquoted field, or text after a closing quote, is kept
/// as part of the field. A quoted field still open at the end of the input yields a record with an error.
/// </remarks>
internal static class CsvReader
{
    public static IEnumerable<CsvRecord> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var inQuotes = false;
        var fieldQuoted = false;
        var hasContent = false;
        int next;
        while ((next = reader.Read()) != -1)
        {
            var c = (char)next;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !fieldQuoted:
                    inQuotes = fieldQuoted = hasContent = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldQuoted = false;
                    hasContent = true;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    if (hasContent)
                    {
                        fields.Add(field.ToString());
                        yield return new CsvRecord(start, fields.ToArray());
                    }
                    fields.Clear();
                    field.Clear();
                    fieldQuoted = hasContent = false;
                    line++;
                    start = line;
                    break;
                default:
                    field.Append(c);
                    hasContent = true;
                    break;
            }
        }
        if (inQuotes)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(start, fields.ToArray(), "a quoted field is not closed before the end of the file.");
        }
        else if (hasContent)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(start, fields.ToArray());
        }
    }
}

/// <summary>Writes CSV fields, quoting those that need it.</summary>
internal static class CsvWriter
{
    /// <summary>The field as written: quoted (with doubled quotes) when it holds a comma, quote, line break or edge space.</summary>
    public static string Field(string value)
    {
        var needsQuotes = value.Length > 0
            && (value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' ');
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>Appends one record (fields joined by commas) and a CRLF line end.</summary>
    public static void AppendRecord(StringBuilder builder, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var value in fields)
        {
            if (!first) builder.Append(',');
            builder.Append(Field(value));
            first = false;
        }
        builder.Append("\r\n");
    }
}
