using System.Buffers.Binary;
using System.Text;

namespace Segmentation.Models.Onnx;

/// <summary>
/// A tensor dimension of a graph input or output: a fixed size, or a named symbolic size
/// (for example a dynamic batch dimension).
/// </summary>
public readonly record struct OnnxDim(long Value, string? Param = null)
{
    public static implicit operator OnnxDim(long value) => new(value);
    public static implicit operator OnnxDim(string param) => new(0, param);
}

/// <summary>A node attribute (AttributeProto). Create with the static factories.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, AttributeType type) => (Name, Type) = (name, type);

    public string Name { get; }
    internal AttributeType Type { get; }
    internal float FloatValue { get; private init; }
    internal long IntValue { get; private init; }
    internal string? StringValue { get; private init; }
    internal float[]? FloatsValue { get; private init; }
    internal long[]? IntsValue { get; private init; }
    internal OnnxFloatTensor? TensorValue { get; private init; }

    public static OnnxAttribute Float(string name, float value) => new(name, AttributeType.Float) { FloatValue = value };
    public static OnnxAttribute Int(string name, long value) => new(name, AttributeType.Int) { IntValue = value };
    public static OnnxAttribute String(string name, string value) => new(name, AttributeType.String) { StringValue = value };
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, AttributeType.Floats) { FloatsValue = values };
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, AttributeType.Ints) { IntsValue = values };
    public static OnnxAttribute Tensor(string name, long[] dims, float[] values) =>
        new(name, AttributeType.Tensor) { TensorValue = new OnnxFloatTensor(name, dims, values) };

    // AttributeProto.AttributeType values from onnx.proto.
    internal enum AttributeType
    {
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        Floats = 6,
        Ints = 7,
    }
}

/// <summary>A float32 tensor stored in the model (TensorProto with raw_data).</summary>
public sealed record OnnxFloatTensor(string Name, long[] Dims, float[] Values);

/// <summary>
/// Writes a minimal ONNX model (ModelProto) by hand-encoding the protobuf wire format: one graph of
/// nodes over float32 tensors, float32 initializers stored as little-endian raw_data, and graph
/// inputs and outputs with (possibly symbolic) shapes. Field numbers follow onnx/onnx.proto.
/// Only what small hand-built graphs need is supported; node order must be topological.
/// </summary>
public sealed class OnnxGraphWriter
{
    private const int FloatDataType = 1; // TensorProto.DataType.FLOAT

    private readonly List<(string Name, OnnxDim[] Shape)> _inputs = [];
    private readonly List<(string Name, OnnxDim[] Shape)> _outputs = [];
    private readonly List<OnnxFloatTensor> _initializers = [];
    private readonly List<(string OpType, string[] Inputs, string[] Outputs, string Name, OnnxAttribute[] Attributes)> _nodes = [];
    private readonly HashSet<string> _names = [];

    /// <param name="graphName">GraphProto.name.</param>
    /// <param name="opsetVersion">Version of the default ("ai.onnx") operator set.</param>
    /// <param name="irVersion">ModelProto.ir_version (7 is understood by every ONNX Runtime since 1.6).</param>
    public OnnxGraphWriter(string graphName, long opsetVersion = 13, long irVersion = 7, string producerName = "Segmentation")
    {
        GraphName = graphName;
        OpsetVersion = opsetVersion;
        IrVersion = irVersion;
        ProducerName = producerName;
    }

    public string GraphName { get; }
    public long OpsetVersion { get; }
    public long IrVersion { get; }
    public string ProducerName { get; }

    /// <summary>Declares a float32 graph input.</summary>
    public void AddInput(string name, params OnnxDim[] shape)
    {
        Claim(name);
        _inputs.Add((name, shape));
    }

    /// <summary>Declares a float32 graph output (which some node must produce).</summary>
    public void AddOutput(string name, params OnnxDim[] shape) => _outputs.Add((name, shape));

    /// <summary>Adds a constant float32 tensor; returns its name for use as a node input.</summary>
    public string AddInitializer(string name, long[] dims, float[] values)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Initializer '{name}' has a negative dimension.", nameof(dims));
            count *= d;
        }
        if (count != values.Length)
            throw new ArgumentException($"Initializer '{name}' has {values.Length} values but its shape [{string.Join(", ", dims)}] holds {count}.", nameof(values));
        Claim(name);
        _initializers.Add(new OnnxFloatTensor(name, (long[])dims.Clone(), (float[])values.Clone()));
        return name;
    }

    /// <summary>Adds a scalar-like constant of shape [1] (broadcasts against any tensor).</summary>
    public string AddScalar(string name, float value) => AddInitializer(name, [1], [value]);

    /// <summary>Adds a node; returns its first output name.</summary>
    public string AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        if (outputs.Length == 0) throw new ArgumentException($"Node {opType} needs at least one output.", nameof(outputs));
        foreach (var output in outputs) Claim(output);
        _nodes.Add((opType, inputs, outputs, $"{opType}_{_nodes.Count}", attributes));
        return outputs[0];
    }

    /// <summary>Adds a single-output node whose output is named <paramref name="output"/>.</summary>
    public string AddNode(string opType, string output, string[] inputs, params OnnxAttribute[] attributes) =>
        AddNode(opType, inputs, [output], attributes);

    public byte[] ToBytes()
    {
        foreach (var (name, _) in _outputs)
            if (!_nodes.Any(n => n.Outputs.Contains(name)) && !_inputs.Any(i => i.Name == name) && !_initializers.Any(t => t.Name == name))
                throw new InvalidOperationException($"Graph output '{name}' is not produced by any node.");

        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);                                     // ModelProto.ir_version
        model.WriteString(2, ProducerName);                                 // ModelProto.producer_name
        model.WriteMessage(7, WriteGraph);                                  // ModelProto.graph
        model.WriteMessage(8, opset =>                                      // ModelProto.opset_import
        {
            opset.WriteString(1, "");                                       // OperatorSetIdProto.domain
            opset.WriteInt64(2, OpsetVersion);                              // OperatorSetIdProto.version
        });
        return model.ToArray();
    }

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("Tensor names must not be empty.");
        if (!_names.Add(name)) throw new ArgumentException($"Tensor name '{name}' is already defined in the graph.");
    }

    private void WriteGraph(ProtoWriter graph)
    {
        foreach (var node in _nodes)
        {
            graph.WriteMessage(1, n =>                                      // GraphProto.node
            {
                foreach (var input in node.Inputs) n.WriteString(1, input); // NodeProto.input
                foreach (var output in node.Outputs) n.WriteString(2, output); // NodeProto.output
                n.WriteString(3, node.Name);                                // NodeProto.name
                n.WriteString(4, node.OpType);                              // NodeProto.op_type
                foreach (var attribute in node.Attributes)
                    n.WriteMessage(5, a => WriteAttribute(a, attribute));   // NodeProto.attribute
            });
        }
        graph.WriteString(2, GraphName);                                    // GraphProto.name
        foreach (var tensor in _initializers)
            graph.WriteMessage(5, t => WriteTensor(t, tensor));             // GraphProto.initializer
        foreach (var (name, shape) in _inputs)
            graph.WriteMessage(11, v => WriteValueInfo(v, name, shape));    // GraphProto.input
        foreach (var (name, shape) in _outputs)
            graph.WriteMessage(12, v => WriteValueInfo(v, name, shape));    // GraphProto.output
    }

    private static void WriteAttribute(ProtoWriter a, OnnxAttribute attribute)
    {
        a.WriteString(1, attribute.Name);                                   // AttributeProto.name
        switch (attribute.Type)
        {
            case OnnxAttribute.AttributeType.Float:
                a.WriteFloat(2, attribute.FloatValue);                      // AttributeProto.f
                break;
            case OnnxAttribute.AttributeType.Int:
                a.WriteInt64(3, attribute.IntValue);                        // AttributeProto.i
                break;
            case OnnxAttribute.AttributeType.String:
                a.WriteString(4, attribute.StringValue!);                   // AttributeProto.s
                break;
            case OnnxAttribute.AttributeType.Tensor:
                a.WriteMessage(5, t => WriteTensor(t, attribute.TensorValue!)); // AttributeProto.t
                break;
            case OnnxAttribute.AttributeType.Floats:
                foreach (var f in attribute.FloatsValue!) a.WriteFloat(7, f); // AttributeProto.floats
                break;
            case OnnxAttribute.AttributeType.Ints:
                foreach (var i in attribute.IntsValue!) a.WriteInt64(8, i); // AttributeProto.ints
                break;
            default:
                throw new InvalidOperationException($"Unsupported attribute type {attribute.Type}.");
        }
        a.WriteInt64(20, (long)attribute.Type);                             // AttributeProto.type
    }

    private static void WriteTensor(ProtoWriter t, OnnxFloatTensor tensor)
    {
        foreach (var d in tensor.Dims) t.WriteInt64(1, d);                  // TensorProto.dims
        t.WriteInt64(2, FloatDataType);                                     // TensorProto.data_type
        t.WriteString(8, tensor.Name);                                      // TensorProto.name
        var raw = new byte[tensor.Values.Length * 4];
        for (var i = 0; i < tensor.Values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), tensor.Values[i]);
        t.WriteBytes(9, raw);                                               // TensorProto.raw_data
    }

    private static void WriteValueInfo(ProtoWriter v, string name, OnnxDim[] shape)
    {
        v.WriteString(1, name);                                             // ValueInfoProto.name
        v.WriteMessage(2, type =>                                           // ValueInfoProto.type
            type.WriteMessage(1, tensor =>                                  // TypeProto.tensor_type
            {
                tensor.WriteInt64(1, FloatDataType);                        // TypeProto.Tensor.elem_type
                tensor.WriteMessage(2, s =>                                 // TypeProto.Tensor.shape
                {
                    foreach (var dim in shape)
                        s.WriteMessage(1, d =>                              // TensorShapeProto.dim
                        {
                            if (dim.Param is { } param) d.WriteString(2, param); // Dimension.dim_param
                            else d.WriteInt64(1, dim.Value);                // Dimension.dim_value
                        });
                });
            }));
    }

    /// <summary>The protobuf wire format, writing side only (varints, 32-bit floats, length-delimited fields).</summary>
    internal sealed class ProtoWriter
    {
        private const int WireVarint = 0;
        private const int WireLengthDelimited = 2;
        private const int WireFixed32 = 5;

        private readonly MemoryStream _stream = new();

        public void WriteInt64(int field, long value)
        {
            WriteTag(field, WireVarint);
            WriteVarint(unchecked((ulong)value));
        }

        public void WriteFloat(int field, float value)
        {
            WriteTag(field, WireFixed32);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _stream.Write(bytes);
        }

        public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

        public void WriteBytes(int field, ReadOnlySpan<byte> value)
        {
            WriteTag(field, WireLengthDelimited);
            WriteVarint((ulong)value.Length);
            _stream.Write(value);
        }

        public void WriteMessage(int field, Action<ProtoWriter> writeBody)
        {
            var body = new ProtoWriter();
            writeBody(body);
            WriteBytes(field, body._stream.GetBuffer().AsSpan(0, (int)body._stream.Length));
        }

        public byte[] ToArray() => _stream.ToArray();

        private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _stream.WriteByte((byte)value);
        }
    }
}
