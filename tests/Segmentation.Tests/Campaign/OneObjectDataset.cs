using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Campaign;

/// <summary>A paired-folder dataset of one 120x100 image whose object is the square [20, 80) x [20, 80), in a temp folder.</summary>
internal sealed class OneObjectDataset : IDisposable
{
    public const int Width = 120, Height = 100;

    public static readonly BinaryMask Truth = Rect(20, 20, 80, 80);

    private readonly TempFolder temp = new();

    public OneObjectDataset()
    {
        Images = temp.Folder("img");
        Masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(Images, "a.png"), Width, Height);
        DatasetFiles.GreyPng(Path.Combine(Masks, "a.png"), Width, Height, (x, y) => Truth[x, y] ? (byte)255 : (byte)0);
    }

    public string Images { get; }
    public string Masks { get; }

    /// <summary>The temp folder the dataset lives in (for output files that go away with it).</summary>
    public string Folder => temp.Path;

    public static BinaryMask Rect(int x0, int y0, int x1, int y1) =>
        BinaryMask.FromPredicate(Width, Height, (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1);

    public void Dispose() => temp.Dispose();
}
