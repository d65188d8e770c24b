using System.Text;

namespace Segmentation.Models.Sam;

/// <summary>
/// The standard SAM decoder export computes four masks (one single-mask token, three multimask tokens) with a
/// predicted IoU each, then keeps one: the single-mask token when there are three or more points, else the
/// best-scored multimask token. This rewrites such a graph so it also returns all four low-resolution masks and
/// their scores (<see cref="AllMasksOutput"/>, <see cref="AllScoresOutput"/>), the alternatives the weights offer.
/// Only the graph's outputs change; every weight and node stays as it was.
/// </summary>
public static class SamDecoderGraph
{
    public const string AllMasksOutput = "all_low_res_masks";
    public const string AllScoresOutput = "all_iou_predictions";

    /// <summary>The rewritten model, or null when the graph does not have the standard selection of one mask.</summary>
    public static byte[]? ExposeAllMasks(byte[] model)
    {
        var top = Fields(model, 0, model.Length);
        var graphField = top.SingleOrDefault(f => f.Number == 7 && f.Wire == 2);
        if (graphField.End == 0) return null;
        var graph = Fields(model, graphField.Start, graphField.End);
        var nodes = graph.Where(f => f.Number == 1 && f.Wire == 2).Select(f => Node.Parse(model, f)).ToArray();
        var producer = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var output in node.Outputs)
                producer[output] = node;
        var existing = graph.Where(f => f.Number == 12 && f.Wire == 2).Select(f => ValueInfoName(model, f)).ToHashSet();
        if (existing.Contains(AllMasksOutput) && existing.Contains(AllScoresOutput)) return model;
        if (existing.Contains(AllMasksOutput) || existing.Contains(AllScoresOutput)) return null;

        var masks = SelectedFrom("low_res_masks", producer);
        var scores = SelectedFrom("iou_predictions", producer);
        if (masks is null || scores is null) return null;

        var extra = new MemoryStream();
        WriteIdentity(extra, masks, AllMasksOutput);
        WriteIdentity(extra, scores, AllScoresOutput);
        WriteFloatOutput(extra, AllMasksOutput);
        WriteFloatOutput(extra, AllScoresOutput);
        var added = extra.ToArray();

        var result = new MemoryStream(model.Length + added.Length + 16);
        result.Write(model, 0, graphField.KeyStart);
        WriteVarint(result, (7 << 3) | 2);
        WriteVarint(result, (ulong)(graphField.End - graphField.Start + added.Length));
        result.Write(model, graphField.Start, graphField.End - graphField.Start);
        result.Write(added);
        result.Write(model, graphField.End, model.Length - graphField.End);
        return result.ToArray();
    }

    /// <summary>
    /// Follows an output back through reshapes to the Gather that picks one mask by an ArgMax-based index out of a
    /// flattened tensor; returns that tensor's name (all four masks or scores).
    /// </summary>
    private static string? SelectedFrom(string output, Dictionary<string, Node> producer)
    {
        var name = output;
        for (var depth = 0; depth < 8 && producer.TryGetValue(name, out var node); depth++)
        {
            switch (node.OpType)
            {
                case "Unsqueeze" or "Reshape" or "Squeeze" or "Identity":
                    name = node.Inputs[0];
                    continue;
                case "Gather" when node.Inputs.Count == 2
                                   && producer.TryGetValue(node.Inputs[0], out var flatten) && flatten.OpType == "Flatten"
                                   && DependsOnArgMax(node.Inputs[1], producer):
                    return flatten.Inputs[0];
                default:
                    return null;
            }
        }
        return null;
    }

    private static bool DependsOnArgMax(string name, Dictionary<string, Node> producer) =>
        producer.TryGetValue(name, out var node)
        && (node.OpType == "ArgMax" || (node.OpType == "Add" && node.Inputs.Any(i => producer.TryGetValue(i, out var n) && n.OpType == "ArgMax")));

    private static void WriteIdentity(Stream s, string input, string output)
    {
        var node = new MemoryStream();
        WriteString(node, 1, input);
        WriteString(node, 2, output);
        WriteString(node, 3, output + "_identity");
        WriteString(node, 4, "Identity");
        WriteMessage(s, 1, node.ToArray());
    }

    private static void WriteFloatOutput(Stream s, string name)
    {
        var tensorType = new MemoryStream();
        WriteVarint(tensorType, (1 << 3) | 0);
        WriteVarint(tensorType, 1); // FLOAT: SAM decoders return float32 masks and scores
        var type = new MemoryStream();
        WriteMessage(type, 1, tensorType.ToArray());
        var valueInfo = new MemoryStream();
        WriteString(valueInfo, 1, name);
        WriteMessage(valueInfo, 2, type.ToArray());
        WriteMessage(s, 12, valueInfo.ToArray());
    }

    private static void WriteString(Stream s, int field, string value) => WriteMessage(s, field, Encoding.UTF8.GetBytes(value));

    private static void WriteMessage(Stream s, int field, byte[] bytes)
    {
        WriteVarint(s, (ulong)((field << 3) | 2));
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }

    private static string? ValueInfoName(byte[] b, Field f) =>
        Fields(b, f.Start, f.End).Where(x => x.Number == 1 && x.Wire == 2).Select(x => Encoding.UTF8.GetString(b, x.Start, x.End - x.Start)).FirstOrDefault();

    /// <summary>A protobuf field: its number, wire type, where its key starts and (length-delimited) its payload.</summary>
    private readonly record struct Field(int Number, int Wire, int KeyStart, int Start, int End);

    private static List<Field> Fields(byte[] b, int start, int end)
    {
        var fields = new List<Field>();
        var p = start;
        while (p < end)
        {
            var keyStart = p;
            var key = ReadVarint(b, ref p);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    ReadVarint(b, ref p);
                    fields.Add(new Field(number, wire, keyStart, p, p));
                    break;
                case 1:
                    if (end - p < 8) throw new InvalidDataException("Malformed ONNX model: a field runs past its message.");
                    p += 8;
                    fields.Add(new Field(number, wire, keyStart, p, p));
                    break;
                case 2:
                    var rawLength = ReadVarint(b, ref p);
                    if (rawLength > int.MaxValue) throw new InvalidDataException("Malformed ONNX model: a field is too long.");
                    var length = (int)rawLength;
                    if (length < 0 || length > end - p) throw new InvalidDataException("Malformed ONNX model: a field runs past its message.");
                    fields.Add(new Field(number, wire, keyStart, p, p + length));
                    p += length;
                    break;
                case 5:
                    if (end - p < 4) throw new InvalidDataException("Malformed ONNX model: a field runs past its message.");
                    p += 4;
                    fields.Add(new Field(number, wire, keyStart, p, p));
                    break;
                default:
                    throw new InvalidDataException($"Malformed ONNX model: unknown wire type {wire}.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] b, ref int p)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (p >= b.Length) throw new InvalidDataException("Malformed ONNX model: truncated number.");
            var x = b[p++];
            result |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return result;
        }
        throw new InvalidDataException("Malformed ONNX model: number too long.");
    }

    private sealed record Node(IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, string OpType)
    {
        public static Node Parse(byte[] b, Field f)
        {
            var fields = Fields(b, f.Start, f.End);
            string Text(Field x) => Encoding.UTF8.GetString(b, x.Start, x.End - x.Start);
            return new Node(
                fields.Where(x => x.Number == 1 && x.Wire == 2).Select(Text).ToArray(),
                fields.Where(x => x.Number == 2 && x.Wire == 2).Select(Text).ToArray(),
                fields.Where(x => x.Number == 4 && x.Wire == 2).Select(Text).FirstOrDefault() ?? "");
        }
    }
}
