using Microsoft.ML.OnnxRuntime;
using Segmentation.Models.Onnx;

namespace Segmentation.Tests.CropContract;

public class OnnxGraphWriterTests
{
    [Fact]
    public void WireFormatMatchesTheProtobufEncoding()
    {
        // Examples from the protobuf encoding guide: field 1 varint 150, field 2 string "testing".
        var w = new OnnxGraphWriter.ProtoWriter();
        w.WriteInt64(1, 150);
        w.WriteString(2, "testing");
        w.WriteFloat(3, 1f);
        w.WriteInt64(4, -1);
        w.WriteMessage(5, m => m.WriteInt64(1, 1));
        byte[] expected =
        [
            0x08, 0x96, 0x01,
            0x12, 0x07, (byte)'t', (byte)'e', (byte)'s', (byte)'t', (byte)'i', (byte)'n', (byte)'g',
            0x1D, 0x00, 0x00, 0x80, 0x3F,
            0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            0x2A, 0x02, 0x08, 0x01,
        ];
        Assert.Equal(expected, w.ToArray());
    }

    [Fact]
    public void OnnxRuntimeRunsAWrittenGraph()
    {
        // y = Relu(Conv(x, w) + b) * 2 with a symbolic batch dimension.
        var g = new OnnxGraphWriter("tiny");
        g.AddInput("x", "batch", 1, 3, 3);
        g.AddOutput("y", "batch", 1, 3, 3);
        var kernel = g.AddInitializer("w", [1, 1, 3, 3], [0, 1, 0, 1, 1, 1, 0, 1, 0]);
        var conv = g.AddNode("Conv", "conv", ["x", kernel],
            OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        var shifted = g.AddNode("Add", "shifted", [conv, g.AddScalar("b", -2f)]);
        var relu = g.AddNode("Relu", "relu", [shifted]);
        g.AddNode("Mul", "y", [relu, g.AddScalar("two", 2f)]);

        using var session = new InferenceSession(g.ToBytes());
        Assert.Equal([-1, 1, 3, 3], session.InputMetadata["x"].Dimensions);
        Assert.Equal("batch", session.InputMetadata["x"].SymbolicDimensions[0]);

        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 1, 3, 3]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [input], ["y"]);
        var y = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        var expected = new float[9];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
            {
                float sum = x[r * 3 + c];
                if (r > 0) sum += x[(r - 1) * 3 + c];
                if (r < 2) sum += x[(r + 1) * 3 + c];
                if (c > 0) sum += x[r * 3 + c - 1];
                if (c < 2) sum += x[r * 3 + c + 1];
                expected[r * 3 + c] = Math.Max(0, sum - 2) * 2;
            }
        Assert.Equal(expected, y);
    }

    [Fact]
    public void FloatAndTensorAttributesAreUnderstood()
    {
        // LeakyRelu(alpha) exercises a FLOAT attribute, Constant(value) a TENSOR attribute.
        var g = new OnnxGraphWriter("attributes");
        g.AddInput("x", 4);
        g.AddOutput("y", 4);
        var c = g.AddNode("Constant", "c", [], OnnxAttribute.Tensor("value", [4], [10, 20, 30, 40]));
        var leaky = g.AddNode("LeakyRelu", "leaky", ["x"], OnnxAttribute.Float("alpha", 0.5f));
        g.AddNode("Add", "y", [leaky, c]);

        using var session = new InferenceSession(g.ToBytes());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[] { -2, -1, 1, 2 }, [4]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [input], ["y"]);
        Assert.Equal([9f, 19.5f, 31f, 42f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void InvalidGraphsAreRejectedBeforeWriting()
    {
        var g = new OnnxGraphWriter("bad");
        g.AddInput("x", 2);
        Assert.Throws<ArgumentException>(() => g.AddInitializer("x", [2], [1, 2]));      // name taken
        Assert.Throws<ArgumentException>(() => g.AddInitializer("w", [3], [1, 2]));      // wrong count
        g.AddOutput("nowhere", 2);
        Assert.Throws<InvalidOperationException>(() => g.ToBytes());
    }
}
