using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class EdgeRefinementTests
{
    private const int Width = 200, Height = 160;
    private static readonly BoxF Square = new(60, 40, 140, 120);

    /// <summary>A dark image with a bright square and some texture, whose edges are exactly known.</summary>
    private static RgbImage SquareImage()
    {
        var pixels = new byte[Width * Height * 3];
        var rng = new Random(5);
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                var inside = x >= Square.X0 && x < Square.X1 && y >= Square.Y0 && y < Square.Y1;
                var value = (inside ? 190 : 60) + rng.Next(-12, 13);
                for (var c = 0; c < 3; c++) pixels[(y * Width + x) * 3 + c] = (byte)value;
            }
        return new RgbImage(Width, Height, pixels);
    }

    /// <summary>Coarse logits: a smooth ramp around a square 2 px larger than the object, its boundary wavy by a pixel, as upsampled low-resolution logits look.</summary>
    private static float[] CoarseLogits()
    {
        var logits = new float[Width * Height];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                var wobble = 0.5 * Math.Sin(y / 7.0) + 0.5 * Math.Cos(x / 9.0);
                var dx = Math.Min(x + 0.5 - (Square.X0 - 2), Square.X1 + 2 - (x + 0.5));
                var dy = Math.Min(y + 0.5 - (Square.Y0 - 2), Square.Y1 + 2 - (y + 0.5));
                var signedDistance = Math.Min(dx, dy) + wobble;
                logits[y * Width + x] = (float)Math.Clamp(signedDistance * 1.5, -12, 12);
            }
        return logits;
    }

    private static BinaryMask MaskOf(float[] logits)
    {
        var mask = new BinaryMask(Width, Height);
        for (var i = 0; i < logits.Length; i++) mask.Data[i] = logits[i] > 0 ? (byte)1 : (byte)0;
        return mask;
    }

    [Fact]
    public void The_boundary_moves_onto_the_image_edge()
    {
        var truth = Raster.FillBox(Width, Height, Square);
        var logits = CoarseLogits();
        var before = MaskMetrics.IoU(MaskOf(logits), truth);

        var changed = EdgeRefinement.Refine(SquareImage(), new PixelRect(0, 0, Width, Height), logits, [], cellSize: 3, new EdgeRefinementOptions());
        var after = MaskMetrics.IoU(MaskOf(logits), truth);

        Assert.True(changed > 0);
        Assert.True(before < 0.93, $"the coarse mask misses the edge (IoU {before:F3})");
        Assert.True(after > 0.97, $"IoU {before:F3} -> {after:F3}");
        Assert.True(MaskMetrics.BoundaryFMeasure(MaskOf(logits), truth, 1) > 0.9, "the boundary is within a pixel of the true edge");
    }

    [Fact]
    public void A_pixel_the_model_was_sure_of_never_changes()
    {
        var logits = CoarseLogits();
        var sure = Enumerable.Range(0, logits.Length).Where(i => Math.Abs(logits[i]) >= 6).ToArray();
        var original = sure.Select(i => logits[i]).ToArray();

        EdgeRefinement.Refine(SquareImage(), new PixelRect(0, 0, Width, Height), logits, [], cellSize: 3, new EdgeRefinementOptions(UncertainLogit: 6));

        Assert.Equal(original, sure.Select(i => logits[i]).ToArray());
    }

    [Fact]
    public void Clicks_stay_respected_where_the_edge_would_move_past_them()
    {
        // The model put the pixel 2 px outside the bright square in the object, and the annotator said so too.
        var click = Click.AtPixel((int)Square.X0 - 2, 80, ClickLabel.Foreground);
        var logits = CoarseLogits();
        Assert.True(logits[80 * Width + click.PixelX] > 0);
        var free = CoarseLogits();

        EdgeRefinement.Refine(SquareImage(), new PixelRect(0, 0, Width, Height), free, [], cellSize: 3, new EdgeRefinementOptions());
        EdgeRefinement.Refine(SquareImage(), new PixelRect(0, 0, Width, Height), logits, [click], cellSize: 3, new EdgeRefinementOptions());

        Assert.True(free[80 * Width + click.PixelX] <= 0, "without the click the refinement moves this pixel out");
        Assert.Equal(0, ClickAgreement.Violations(MaskOf(logits), [click]));
    }

    [Fact]
    public void A_frame_is_refined_against_its_own_part_of_the_image()
    {
        var frame = new PixelRect(40, 20, 120, 120);
        var whole = CoarseLogits();
        var logits = new float[frame.Width * frame.Height];
        for (var y = 0; y < frame.Height; y++)
            Array.Copy(whole, (frame.Y + y) * Width + frame.X, logits, y * frame.Width, frame.Width);

        EdgeRefinement.Refine(SquareImage(), frame, logits, [], cellSize: 3, new EdgeRefinementOptions());

        var truth = Raster.FillBox(frame.Width, frame.Height, new BoxF(Square.X0 - frame.X, Square.Y0 - frame.Y, Square.X1 - frame.X, Square.Y1 - frame.Y));
        var mask = new BinaryMask(frame.Width, frame.Height);
        for (var i = 0; i < logits.Length; i++) mask.Data[i] = logits[i] > 0 ? (byte)1 : (byte)0;
        Assert.True(MaskMetrics.IoU(mask, truth) > 0.97, $"IoU {MaskMetrics.IoU(mask, truth):F3}");
    }

    [Fact]
    public void Logits_of_the_wrong_size_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            EdgeRefinement.Refine(SquareImage(), new PixelRect(0, 0, Width, Height), new float[10], [], 3, new EdgeRefinementOptions()));
        Assert.Contains("logits", ex.Message);
    }
}
