using Segmentation.Masks;

namespace Segmentation.Models.CropContract;

/// <summary>
/// The exact affine map between image coordinates and model-input coordinates of a crop-contract model.
/// The object's box is scaled uniformly so that its longer side spans <see cref="InnerSize"/> input pixels,
/// and translated so that the box centre lands on the centre of the <see cref="InputSize"/> x
/// <see cref="InputSize"/> input. Both coordinate systems are continuous with pixel (i, j) covering
/// [i, i+1) x [j, j+1) (see <see cref="BoxF"/>), so:
/// <code>
/// u = (x - box.CenterX) * Scale + InputSize / 2
/// v = (y - box.CenterY) * Scale + InputSize / 2
/// </code>
/// Input pixels whose centres fall outside the image are filled with black (RGB 0, 0, 0 before
/// normalisation); see <see cref="CropContractEncoder"/>.
/// </summary>
public sealed class CropGeometry
{
    /// <summary>
    /// Boxes whose longer side is shorter than this many image pixels (including empty or inverted boxes)
    /// are treated as if their longer side had this length, which bounds the magnification at
    /// <see cref="InnerSize"/> / <see cref="MinBoxSide"/>.
    /// </summary>
    public const double MinBoxSide = 1.0;

    public CropGeometry(BoxF box, int imageWidth, int imageHeight, int inputSize, int innerSize)
    {
        if (imageWidth <= 0 || imageHeight <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageWidth), $"Image size {imageWidth}x{imageHeight} is not positive.");
        if (inputSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), $"Input size {inputSize} is not positive.");
        if (innerSize <= 0 || innerSize > inputSize)
            throw new ArgumentOutOfRangeException(nameof(innerSize), $"Inner size {innerSize} must be in 1..{inputSize} (the input size).");
        if (!double.IsFinite(box.X0) || !double.IsFinite(box.Y0) || !double.IsFinite(box.X1) || !double.IsFinite(box.Y1))
            throw new ArgumentException($"Box {box} has a non-finite coordinate.", nameof(box));

        Box = box.Normalized();
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        InputSize = inputSize;
        InnerSize = innerSize;
        Scale = innerSize / Math.Max(Box.LongerSide, MinBoxSide);
        CenterX = Box.CenterX;
        CenterY = Box.CenterY;
        InputCenter = inputSize / 2.0;
    }

    /// <summary>The object's box in image coordinates (normalised so that X0 &lt;= X1 and Y0 &lt;= Y1).</summary>
    public BoxF Box { get; }

    public int ImageWidth { get; }
    public int ImageHeight { get; }

    /// <summary>Side of the square model input, in input pixels.</summary>
    public int InputSize { get; }

    /// <summary>Side of the centred square into which the box is fitted, in input pixels.</summary>
    public int InnerSize { get; }

    /// <summary>Input pixels per image pixel.</summary>
    public double Scale { get; }

    /// <summary>Image point that maps to the input centre (the box centre).</summary>
    public double CenterX { get; }

    /// <summary>Image point that maps to the input centre (the box centre).</summary>
    public double CenterY { get; }

    /// <summary>InputSize / 2, the input coordinate of the box centre on both axes.</summary>
    public double InputCenter { get; }

    public (double U, double V) ImageToInput(double x, double y) =>
        ((x - CenterX) * Scale + InputCenter, (y - CenterY) * Scale + InputCenter);

    public (double X, double Y) InputToImage(double u, double v) =>
        ((u - InputCenter) / Scale + CenterX, (v - InputCenter) / Scale + CenterY);

    /// <summary>The box mapped into input coordinates; its longer side spans exactly <see cref="InnerSize"/>.</summary>
    public BoxF BoxInInput
    {
        get
        {
            var (u0, v0) = ImageToInput(Box.X0, Box.Y0);
            var (u1, v1) = ImageToInput(Box.X1, Box.Y1);
            return new BoxF(u0, v0, u1, v1);
        }
    }

    /// <summary>
    /// The image-space rectangle covered by the whole input square [0, InputSize)^2. It may extend
    /// beyond the image; see <see cref="CoveredImageRect"/> for the part inside the image.
    /// </summary>
    public BoxF CoveredRegion
    {
        get
        {
            var (x0, y0) = InputToImage(0, 0);
            var (x1, y1) = InputToImage(InputSize, InputSize);
            return new BoxF(x0, y0, x1, y1);
        }
    }

    /// <summary><see cref="CoveredRegion"/> clipped to the image (may be empty when the box lies far outside it).</summary>
    public BoxF CoveredImageRect => CoveredRegion.ClampTo(ImageWidth, ImageHeight);

    /// <summary>
    /// The image pixels whose centres map inside the input square (u and v in [0, InputSize)):
    /// exactly the pixels the decoder samples from the model output. Empty (zero width or height)
    /// when no image pixel is covered.
    /// </summary>
    public PixelRect CoveredPixels
    {
        get
        {
            var (x0, x1) = CoveredRange(CenterX, ImageWidth);
            var (y0, y1) = CoveredRange(CenterY, ImageHeight);
            return x1 < x0 || y1 < y0 ? new PixelRect(0, 0, 0, 0) : new PixelRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        }
    }

    /// <summary>True when the centre of image pixel (x, y) maps inside the input square.</summary>
    public bool CoversPixel(int x, int y)
    {
        var (u, v) = ImageToInput(x + 0.5, y + 0.5);
        return u >= 0 && v >= 0 && u < InputSize && v < InputSize;
    }

    /// <summary>True when the centre of input pixel (i, j) maps inside the image.</summary>
    public bool InputPixelInsideImage(int i, int j)
    {
        var (x, y) = InputToImage(i + 0.5, j + 0.5);
        return x >= 0 && y >= 0 && x < ImageWidth && y < ImageHeight;
    }

    // Pixels p in [0, size) with 0 <= (p + 0.5 - centre) * Scale + InputCenter < InputSize. The bounds are
    // found in closed form and then corrected against the exact predicate, so floating-point rounding
    // cannot disagree with CoversPixel.
    private (int First, int Last) CoveredRange(double centre, int size)
    {
        bool Covered(int p)
        {
            var u = (p + 0.5 - centre) * Scale + InputCenter;
            return u >= 0 && u < InputSize;
        }

        var lo = (-InputCenter) / Scale + centre - 0.5;
        var hi = (InputSize - InputCenter) / Scale + centre - 0.5;
        var first = (int)Math.Clamp(Math.Ceiling(lo), 0, size);
        var last = (int)Math.Clamp(Math.Floor(hi), -1, size - 1);
        while (first > 0 && Covered(first - 1)) first--;
        while (first < size && !Covered(first)) first++;
        while (last < size - 1 && Covered(last + 1)) last++;
        while (last >= 0 && !Covered(last)) last--;
        return (first, last);
    }
}
