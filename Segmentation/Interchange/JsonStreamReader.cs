using System.Text.Json;

namespace Segmentation.Interchange;

/// <summary>
/// Reads a JSON stream token by token, or one whole value at a time into a small <see cref="JsonDocument"/>,
/// keeping in memory only the part being read.
/// </summary>
/// <remarks>
/// A <see cref="Utf8JsonReader"/> cannot live across the importer's <c>yield</c>s, so this keeps its state and buffer
/// and makes a new reader over the unread bytes for each call. Every byte read goes through the reader, so syntax is
/// checked everywhere, including in values that are skipped. Syntax errors become <see cref="InvalidDataException"/>.
/// </remarks>
internal sealed class JsonStreamReader
{
    private readonly Stream stream;
    private readonly string what;
    private readonly int maxBuffer;
    private byte[] buffer;
    private int start, end;
    private bool finalBlock;
    private JsonReaderState state;
    private long bufferOrigin;

    /// <param name="stream">Positioned where reading starts; <see cref="TokenStart"/> counts bytes from there.</param>
    /// <param name="what">The input's name for messages ("The COCO file").</param>
    /// <param name="maxBuffer">The most bytes kept at once: no token, and no value read whole, may be longer.</param>
    public JsonStreamReader(Stream stream, string what, int maxBuffer)
    {
        this.stream = stream;
        this.what = what;
        this.maxBuffer = maxBuffer;
        buffer = new byte[Math.Min(64 * 1024, maxBuffer)];
        state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        while (end - start < 3 && !finalBlock) Fill();
        if (buffer.AsSpan(start, end - start).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) start += 3;
    }

    public JsonTokenType TokenType { get; private set; }

    /// <summary>The byte offset of the last token read, from where the stream was when this reader was made.</summary>
    public long TokenStart { get; private set; }

    /// <summary>The nesting depth of the last token read (0 for the root value's own brackets).</summary>
    public int CurrentDepth { get; private set; }

    /// <summary>The last property name read at depth 0 or 1 (deeper names are not decoded, to save allocations).</summary>
    public string? PropertyName { get; private set; }

    /// <summary>Reads the next token; false at the end of the input.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), finalBlock, state);
            bool read;
            try
            {
                read = reader.Read();
            }
            catch (JsonException ex)
            {
                throw JsonValues.NotValidJson(ex, what);
            }
            if (read)
            {
                TokenType = reader.TokenType;
                TokenStart = bufferOrigin + start + reader.TokenStartIndex;
                CurrentDepth = reader.CurrentDepth;
                PropertyName = reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth <= 1 ? reader.GetString() : null;
                Advance(ref reader);
                return true;
            }
            if (finalBlock) return false;
            if (!Fill()) throw TooLong();
        }
    }

    /// <summary>After a <c>StartObject</c> or <c>StartArray</c> token, reads on to its matching end.</summary>
    public void SkipContainer()
    {
        var depth = CurrentDepth;
        while (Read())
        {
            if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && CurrentDepth == depth) return;
        }
        throw new InvalidDataException($"{what} ends inside a value.");
    }

    /// <summary>What <see cref="ReadElement"/> found.</summary>
    public enum Element
    {
        /// <summary>The enclosing array or object ended (its end token was read).</summary>
        End,

        /// <summary>A value, now in the document.</summary>
        Value,

        /// <summary>A value longer than the limit; it was read through and dropped.</summary>
        TooLarge,
    }

    /// <summary>
    /// Inside an array, reads the next element whole into <paramref name="document"/> (which the caller disposes),
    /// or reads through it when it is longer than <paramref name="maxBytes"/>.
    /// </summary>
    public Element ReadElement(int maxBytes, out JsonDocument? document)
    {
        document = null;
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), finalBlock, state);
            try
            {
                if (!reader.Read())
                {
                    if (finalBlock) throw new InvalidDataException($"{what} ends inside an array.");
                    if (!Fill()) throw TooLong();
                    continue;
                }
                if (reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
                {
                    TokenType = reader.TokenType;
                    CurrentDepth = reader.CurrentDepth;
                    Advance(ref reader);
                    return Element.End;
                }
                TokenStart = bufferOrigin + start + reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    var probe = reader;
                    if (probe.TrySkip())
                    {
                        // Already buffered whole, yet longer than allowed: refused all the same, so the outcome does
                        // not depend on how the stream happened to be buffered.
                        if (probe.BytesConsumed - reader.TokenStartIndex > maxBytes)
                        {
                            TokenType = probe.TokenType;
                            CurrentDepth = probe.CurrentDepth;
                            Advance(ref probe);
                            return Element.TooLarge;
                        }
                    }
                    else
                    {
                        if (end - start >= maxBytes || !Fill())
                        {
                            TokenType = reader.TokenType;
                            CurrentDepth = reader.CurrentDepth;
                            Advance(ref reader);
                            SkipContainer();
                            return Element.TooLarge;
                        }
                        continue;
                    }
                }
                document = JsonDocument.ParseValue(ref reader);
                Advance(ref reader);
                return Element.Value;
            }
            catch (JsonException ex)
            {
                throw JsonValues.NotValidJson(ex, what);
            }
        }
    }

    private void Advance(ref Utf8JsonReader reader)
    {
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
    }

    /// <summary>Reads more of the stream, first making room; false when the buffer is full at its limit.</summary>
    private bool Fill()
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            bufferOrigin += start;
            end -= start;
            start = 0;
        }
        if (end == buffer.Length)
        {
            if (buffer.Length >= maxBuffer) return false;
            Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBuffer));
        }
        var read = stream.Read(buffer, end, buffer.Length - end);
        if (read == 0) finalBlock = true;
        end += read;
        return true;
    }

    private InvalidDataException TooLong() =>
        new($"{what} has a single JSON token longer than {maxBuffer} bytes after byte {bufferOrigin + start}.");
}
