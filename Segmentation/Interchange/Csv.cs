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
/// as part of the field. A quoted field still open at the end of the input yields a record with an error, and so
/// does a record longer than the limit given (its text is dropped as it is read, so memory stays bounded).
/// </remarks>
internal static class CsvReader
{
    public static IEnumerable<CsvRecord> Read(TextReader reader, int maxRecordChars = int.MaxValue)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var inQuotes = false;
        var fieldQuoted = false;
        var hasContent = false;
        var recordChars = 0;
        var tooLong = false;
        var fieldChars = 0; // counts dropped characters too, so a too-long record is split where it would have been
        void Append(char c)
        {
            fieldChars++;
            if (tooLong) return;
            if (++recordChars > maxRecordChars)
            {
                tooLong = true;
                fields.Clear();
                field.Clear();
                return;
            }
            field.Append(c);
        }
        CsvRecord Finish(string? error = null)
        {
            fields.Add(field.ToString());
            var record = tooLong
                ? new CsvRecord(start, [], error ?? $"the record is longer than {maxRecordChars} characters.")
                : new CsvRecord(start, fields.ToArray(), error);
            fields.Clear();
            field.Clear();
            recordChars = fieldChars = 0;
            tooLong = false;
            return record;
        }
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
                        Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) line++;
                    Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when fieldChars == 0 && !fieldQuoted:
                    inQuotes = fieldQuoted = hasContent = true;
                    break;
                case ',':
                    if (!tooLong) fields.Add(field.ToString());
                    field.Clear();
                    fieldChars = 0;
                    fieldQuoted = false;
                    hasContent = true;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    if (hasContent) yield return Finish();
                    fields.Clear();
                    field.Clear();
                    fieldChars = 0;
                    fieldQuoted = hasContent = false;
                    line++;
                    start = line;
                    break;
                default:
                    Append(c);
                    hasContent = true;
                    break;
            }
        }
        if (inQuotes) yield return Finish("a quoted field is not closed before the end of the file.");
        else if (hasContent) yield return Finish();
    }
}

/// <summary>Writes CSV fields, quoting those that need it.</summary>
/// <remarks>
/// Text from users (names, ids) goes through <see cref="Text"/> first, so that a spreadsheet opening the file does
/// not take a cell for a formula. Cells made only from numbers we format (digits, sign, '.', 'E', and the spaces and
/// ';' that join a list of them) are written as they are, so they stay numbers for whoever reads the file.
/// </remarks>
internal static class CsvWriter
{
    /// <summary>
    /// A text cell made inert for spreadsheets: one starting with '=', '+', '-' or '@' (or a tab or carriage return,
    /// which some spreadsheets skip before looking for those) gets a leading single quote.
    /// </summary>
    public static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>The field as written: quoted (with doubled quotes) when it holds a comma, quote, line break or edge space.</summary>
    public static string Field(string value)
    {
        var needsQuotes = value.Length > 0
            && (value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' ');
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>One record (fields joined by commas) with its CRLF line end.</summary>
    public static string Record(IEnumerable<string> fields)
    {
        var builder = new StringBuilder();
        AppendRecord(builder, fields);
        return builder.ToString();
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
