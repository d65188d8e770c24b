using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Models.CropContract;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Segmentation.Tests.CropContract;

/// <summary>Reference models written once to a temporary folder and the dev-set image they are run on.</summary>
public sealed class CropContractFixture : IDisposable
{
    public CropContractFixture()
    {
        Folder = Directory.CreateTempSubdirectory("crop-contract-").FullName;
        BoxAndClicksPath = Path.Combine(Folder, "mbc.onnx");
        BoxOnlyPath = Path.Combine(Folder, "mb.onnx");
        LogitsPath = Path.Combine(Folder, "mbc-logits.onnx");
        CropContractReferenceModel.Save(BoxAndClicksPath, CropContractOptions.BoxAndClicks);
        CropContractReferenceModel.Save(BoxOnlyPath, CropContractOptions.BoxOnly);
        CropContractReferenceModel.Save(LogitsPath, CropContractOptions.BoxAndClicks with { OutputIsLogits = true });

        Image = ImageCodec.ReadImage(TestData.DavisImage(0));
        Truth = ImageCodec.ReadMask(TestData.DavisMask(0));
        Box = (Truth.BoundingBox() ?? throw new InvalidOperationException("Dev-set mask 000 is empty.")).ToBox();
        BoxAndClicks = new CropContractModel(BoxAndClicksPath, CropContractOptions.BoxAndClicks, "reference-mbc");
    }

    public string Folder { get; }
    public string BoxAndClicksPath { get; }
    public string BoxOnlyPath { get; }
    public string LogitsPath { get; }
    public RgbImage Image { get; }
    public BinaryMask Truth { get; }
    public BoxF Box { get; }
    public CropContractModel BoxAndClicks { get; }

    public void Dispose()
    {
        BoxAndClicks.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

public class CropContractModelTests(CropContractFixture fixture) : IClassFixture<CropContractFixture>
{
    private MaskPrediction Predict(ISegmentationModel model, params Click[] clicks)
    {
        using var prepared = model.Prepare(fixture.Image);
        return model.Predict(prepared, new SegmentationPrompt(fixture.Box, clicks));
    }

    private static double Fraction(BinaryMask mask, Func<int, int, bool> region, bool value)
    {
        long inRegion = 0, matching = 0;
        for (var y = 0; y < mask.Height; y++)
            for (var x = 0; x < mask.Width; x++)
            {
                if (!region(x, y)) continue;
                inRegion++;
                if (mask[x, y] == value) matching++;
            }
        Assert.True(inRegion > 0, "Empty test region.");
        return (double)matching / inRegion;
    }

    private static Func<int, int, bool> Disk(double cx, double cy, double radius) =>
        (x, y) => (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= radius * radius;

    // Fraction of the pixels whose centre is within `radius` of (cx, cy) that equal `value`; pixels outside the image do not count.
    private static double DiskFraction(BinaryMask mask, double cx, double cy, double radius, bool value)
    {
        var disk = Raster.Disk(mask.Width, mask.Height, cx, cy, radius);
        var rect = disk.BoundingBox();
        Assert.True(rect is not null, "Empty test disk.");
        long inDisk = 0, matching = 0;
        for (var y = rect.Value.Y; y < rect.Value.Bottom; y++)
            for (var x = rect.Value.X; x < rect.Value.Right; x++)
            {
                if (!disk[x, y]) continue;
                inDisk++;
                if (mask[x, y] == value) matching++;
            }
        return (double)matching / inDisk;
    }

    [Fact]
    public void BoxPredictionIsNonEmptyAndHugsTheBox()
    {
        var geometry = new CropGeometry(fixture.Box, fixture.Image.Width, fixture.Image.Height, 513, 385);
        using var boxOnly = new CropContractModel(fixture.BoxOnlyPath, CropContractOptions.BoxOnly);
        foreach (var prediction in new[] { Predict(fixture.BoxAndClicks), Predict(boxOnly) })
        {
            var mask = prediction.Mask;
            Assert.Equal(fixture.Image.Width, mask.Width);
            Assert.Equal(fixture.Image.Height, mask.Height);
            Assert.False(mask.IsEmpty);

            // The model's box prior reaches at most half its 33-pixel blur beyond the box, in input pixels.
            var margin = 17 / geometry.Scale;
            var box = fixture.Box;
            var nearBox = new BoxF(box.X0 - margin, box.Y0 - margin, box.X1 + margin, box.Y1 + margin);
            var outside = BinaryMask.FromPredicate(mask.Width, mask.Height, (x, y) =>
                mask[x, y] && !(x + 0.5 >= nearBox.X0 && x + 0.5 <= nearBox.X1 && y + 0.5 >= nearBox.Y0 && y + 0.5 <= nearBox.Y1));
            Assert.Equal(0, outside.Area());

            // End-to-end alignment: the mask's extent matches the box (a shifted or mis-scaled crop would not).
            var extent = mask.BoundingBox()!.Value.ToBox();
            Assert.True(extent.IoU(fixture.Box) > 0.85, $"Mask extent {extent} vs box {fixture.Box}.");
        }
    }

    [Fact]
    public void BackgroundClickInsideTheBoxRemovesTheAreaAroundIt()
    {
        var before = Predict(fixture.BoxAndClicks).Mask;
        var geometry = new CropGeometry(fixture.Box, fixture.Image.Width, fixture.Image.Height, 513, 385);
        // A point inside the box where the first prediction is solidly foreground.
        var (cx, cy) = FindSolidPoint(before, fixture.Box, 12 / geometry.Scale, value: true);
        var radius = 12 / geometry.Scale; // well inside the model's 41-pixel click reach
        Assert.Equal(1.0, DiskFraction(before, cx, cy, radius, true));

        var after = Predict(fixture.BoxAndClicks, new Click(cx, cy, ClickLabel.Background)).Mask;
        Assert.Equal(1.0, DiskFraction(after, cx, cy, radius, false));
        Assert.True(after.Area() < before.Area());
        // Far from the click nothing changes.
        Assert.Equal(1.0, Fraction(after, (x, y) => before[x, y] && !Disk(cx, cy, 60 / geometry.Scale)(x, y), true));
    }

    [Fact]
    public void ForegroundClickOutsideTheBoxAddsAreaThere()
    {
        var before = Predict(fixture.BoxAndClicks).Mask;
        var box = fixture.Box;
        var geometry = new CropGeometry(box, fixture.Image.Width, fixture.Image.Height, 513, 385);
        // 40 input pixels outside the box (still inside the 64-pixel margin of the crop), on a side with image room.
        var offset = 40 / geometry.Scale;
        var candidates = new (double X, double Y)[]
        {
            (box.X1 + offset, box.CenterY), (box.X0 - offset, box.CenterY),
            (box.CenterX, box.Y1 + offset), (box.CenterX, box.Y0 - offset),
        };
        var radius = 8 / geometry.Scale;
        var (cx, cy) = candidates.First(p =>
            p.X - radius >= 0 && p.Y - radius >= 0 && p.X + radius <= fixture.Image.Width && p.Y + radius <= fixture.Image.Height);
        Assert.Equal(1.0, DiskFraction(before, cx, cy, radius, false));

        var after = Predict(fixture.BoxAndClicks, new Click(cx, cy, ClickLabel.Foreground)).Mask;
        Assert.Equal(1.0, DiskFraction(after, cx, cy, radius, true));
        Assert.True(after.Area() > before.Area());
    }

    [Theory]
    [InlineData(ClickEncoding.Gaussian)]
    [InlineData(ClickEncoding.DistanceTransform)]
    public void OtherClickEncodingsReachTheModel(ClickEncoding encoding)
    {
        var options = CropContractOptions.BoxAndClicks with { ClickEncoding = encoding };
        var path = Path.Combine(fixture.Folder, $"mbc-{encoding}.onnx");
        CropContractReferenceModel.Save(path, options);
        using var model = new CropContractModel(path, options);
        var geometry = new CropGeometry(fixture.Box, fixture.Image.Width, fixture.Image.Height, 513, 385);
        var radius = 12 / geometry.Scale;

        var before = Predict(model).Mask;
        var (cx, cy) = FindSolidPoint(before, fixture.Box, radius, value: true);
        var after = Predict(model, new Click(cx, cy, ClickLabel.Background)).Mask;
        Assert.Equal(1.0, DiskFraction(after, cx, cy, radius, false));
        Assert.True(after.Area() < before.Area());
    }

    [Fact]
    public void PredictionReportsTimingAndState()
    {
        var prediction = Predict(fixture.BoxAndClicks, Click.AtPixel(10, 10, ClickLabel.Background));
        Assert.Equal(0, prediction.Timing.EncoderMs);
        Assert.True(prediction.Timing.DecoderMs > 0);
        Assert.True(prediction.Timing.OverheadMs >= 0);
        var state = Assert.IsType<CropContractState>(prediction.State);
        Assert.Equal(513 * 513, state.Probabilities.Length);
        Assert.All(state.Probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(fixture.Box, state.Geometry.Box);
    }

    [Fact]
    public void LogitOutputGivesTheSameMaskAsProbabilityOutput()
    {
        using var logits = new CropContractModel(fixture.LogitsPath, CropContractOptions.BoxAndClicks with { OutputIsLogits = true });
        var click = new Click(fixture.Box.CenterX, fixture.Box.CenterY, ClickLabel.Background);
        var a = Predict(fixture.BoxAndClicks, click);
        var b = Predict(logits, click);
        Assert.True(CropContractEncoderTests.IoU(a.Mask, b.Mask) > 0.995);
        var sa = Assert.IsType<CropContractState>(a.State);
        var sb = Assert.IsType<CropContractState>(b.State);
        for (var i = 0; i < sa.Probabilities.Length; i += 97) Assert.Equal(sa.Probabilities[i], sb.Probabilities[i], 4);
    }

    [Fact]
    public void ConcurrentPredictionsAgree()
    {
        var clicks = new[] { new Click(fixture.Box.CenterX, fixture.Box.CenterY, ClickLabel.Background) };
        var results = new BinaryMask[3];
        Parallel.For(0, results.Length, i => results[i] = Predict(fixture.BoxAndClicks, clicks).Mask);
        Assert.All(results, r => Assert.Equal(results[0], r));
    }

    [Fact]
    public void MissingBoxIsRejected()
    {
        using var prepared = fixture.BoxAndClicks.Prepare(fixture.Image);
        var ex = Assert.Throws<ArgumentException>(() =>
            fixture.BoxAndClicks.Predict(prepared, new SegmentationPrompt(null, [Click.AtPixel(5, 5, ClickLabel.Foreground)])));
        Assert.Contains("box", ex.Message);
    }

    [Fact]
    public void WrongInputSizeIsReportedWithExpectedAndActualShapes()
    {
        var path = Path.Combine(fixture.Folder, "small.onnx");
        CropContractReferenceModel.Save(path, CropContractOptions.BoxAndClicks with { InputSize = 129, InnerSize = 97 });
        var ex = Assert.Throws<InvalidDataException>(() => new CropContractModel(path, CropContractOptions.BoxAndClicks));
        Assert.Contains("[1, 6, 129, 129]", ex.Message);
        Assert.Contains("expected [1, 6, 513, 513]", ex.Message);

        // The same file loads when the options describe it.
        using var model = new CropContractModel(path, CropContractOptions.BoxAndClicks with { InputSize = 129, InnerSize = 97 });
        using var prepared = model.Prepare(fixture.Image);
        Assert.False(model.Predict(prepared, SegmentationPrompt.FromBox(fixture.Box)).Mask.IsEmpty);
    }

    [Fact]
    public void WrongChannelCountAndNamesAreReported()
    {
        var ex = Assert.Throws<InvalidDataException>(() => new CropContractModel(fixture.BoxOnlyPath, CropContractOptions.BoxAndClicks));
        Assert.Contains("[1, 4, 513, 513]", ex.Message);
        Assert.Contains("expected [1, 6, 513, 513]", ex.Message);

        var renamed = Assert.Throws<InvalidDataException>(() =>
            new CropContractModel(fixture.BoxOnlyPath, CropContractOptions.BoxOnly with { InputName = "image" }));
        Assert.Contains("'image'", renamed.Message);
        Assert.Contains("[input]", renamed.Message);

        var output = Assert.Throws<InvalidDataException>(() =>
            new CropContractModel(fixture.BoxOnlyPath, CropContractOptions.BoxOnly with { OutputName = "mask" }));
        Assert.Contains("[output]", output.Message);

        Assert.Throws<FileNotFoundException>(() => new CropContractModel(Path.Combine(fixture.Folder, "none.onnx"), CropContractOptions.BoxOnly));
    }

    [Fact]
    public void CpuFallbackIsLoggedOnceWithStructuredProperties()
    {
        var sink = new CollectingSink();
        var previous = Log.Logger;
        var name = $"fallback-probe-{Guid.NewGuid():N}";
        Log.Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        try
        {
            using var model = new CropContractModel(fixture.BoxOnlyPath, CropContractOptions.BoxOnly, name);
            var mine = sink.Events.Where(e => e.Properties.TryGetValue("Model", out var m) && m.ToString() == $"\"{name}\"").ToList();
            if (model.UsesCuda)
            {
                Assert.Empty(mine);
                return;
            }
            var e = Assert.Single(mine);
            Assert.Equal(LogEventLevel.Information, e.Level);
            Assert.Equal("CUDA execution provider unavailable ({Reason}); running {Model} on CPU", e.MessageTemplate.Text);
            Assert.True(e.Properties.ContainsKey("Reason"));
        }
        finally
        {
            Log.Logger = previous;
        }
    }

    // The centre of a disk of the given radius lying inside the box where the mask is uniformly `value`,
    // searched on a grid from the box centre outwards.
    private static (double X, double Y) FindSolidPoint(BinaryMask mask, BoxF box, double radius, bool value)
    {
        var best = (X: double.NaN, Y: double.NaN);
        var bestDistance = double.PositiveInfinity;
        for (var y = box.Y0 + radius; y <= box.Y1 - radius; y += 4)
            for (var x = box.X0 + radius; x <= box.X1 - radius; x += 4)
            {
                var d = Math.Abs(x - box.CenterX) + Math.Abs(y - box.CenterY);
                if (d >= bestDistance) continue;
                if (DiskFraction(mask, x, y, radius * 1.5, value) < 1) continue;
                best = (x, y);
                bestDistance = d;
            }
        Assert.False(double.IsNaN(best.X), "No solid region found in the prediction.");
        return best;
    }

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly List<LogEvent> _events = [];

        public IReadOnlyList<LogEvent> Events
        {
            get { lock (_events) return _events.ToList(); }
        }

        public void Emit(LogEvent logEvent)
        {
            lock (_events) _events.Add(logEvent);
        }
    }
}
