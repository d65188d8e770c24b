using System.Globalization;
using System.Text.Json;

namespace Segmentation.Interchange;

/// <summary>Small JSON reading helpers shared by the COCO import.</summary>
internal static class JsonValues
{
    /// <summary>Parses a whole document, turning a syntax error into an <see cref="InvalidDataException"/> with a 1-based position.</summary>
    public static JsonDocument ParseDocument(Func<JsonDocument> parse, string what)
    {
        try
        {
            return parse();
        }
        catch (JsonException ex)
        {
            throw NotValidJson(ex, what);
        }
    }

    /// <summary>A syntax error as an <see cref="InvalidDataException"/> with a 1-based position.</summary>
    public static InvalidDataException NotValidJson(JsonException ex, string what)
    {
        // The parser's message ends with zero-based "LineNumber: .. | BytePositionInLine: ..";
        // state the position one-based instead.
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        var position = ex.LineNumber is { } line
            ? $" at line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"
            : "";
        return new InvalidDataException($"{what} is not valid JSON{position}: {message}", ex);
    }

    /// <summary>
    /// An id as text: an integer number in invariant form, or a non-empty string as it is; null for anything else.
    /// </summary>
    public static string? IdText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Number when value.TryGetUInt64(out var u) => u.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.String when value.GetString() is { Length: > 0 } s => s,
        _ => null,
    };

    /// <summary>A finite number.</summary>
    public static bool TryGetFinite(JsonElement value, out double result)
    {
        result = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out result) && double.IsFinite(result);
    }

    /// <summary>A whole number that fits an int, written either as an integer or with a zero fraction (640.0).</summary>
    public static bool TryGetWholeInt32(JsonElement value, out int result)
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number) return false;
        if (value.TryGetInt32(out result)) return true;
        if (value.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
        {
            result = (int)d;
            return true;
        }
        return false;
    }

    /// <summary>A short rendering of a value for messages (raw JSON, cut after 60 characters).</summary>
    public static string Show(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 60 ? raw : raw[..57] + "...";
    }

    /// <summary>The kind of value a token starts.</summary>
    public static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
