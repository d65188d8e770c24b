using System.Globalization;
using Segmentation.Masks;

namespace Segmentation.Interchange;

/// <summary>
/// One finished (or partly finished) instance to export: where it is, its class and box, its final mask,
/// and how it was annotated.
/// </summary>
/// <param name="InstanceId">The campaign's instance id.</param>
/// <param name="ImageFile">The image path relative to the image folder, with '/' separators.</param>
/// <param name="ImageWidth">Image width in pixels.</param>
/// <param name="ImageHeight">Image height in pixels.</param>
/// <param name="ClassName">The object's class.</param>
/// <param name="X0">Box left edge in pixels.</param>
/// <param name="Y0">Box top edge in pixels.</param>
/// <param name="X1">Box right edge in pixels.</param>
/// <param name="Y1">Box bottom edge in pixels.</param>
/// <param name="Mask">The final mask (its size must be the image's), or null when there is none; exporters skip such items.</param>
/// <param name="Status">The instance's status in the campaign, written as it is.</param>
/// <param name="PredictedIoU">The model's predicted IoU of the final mask, if known.</param>
/// <param name="Provenance">Who answered, how long it took, and how many clicks.</param>
/// <param name="Clicks">The clicks that produced the mask, in the order they were made.</param>
public sealed record MaskExportItem(
    string InstanceId,
    string ImageFile,
    int ImageWidth,
    int ImageHeight,
    string ClassName,
    double X0,
    double Y0,
    double X1,
    double Y1,
    RleMask? Mask,
    string Status,
    double? PredictedIoU,
    ExportProvenance Provenance,
    IReadOnlyList<ExportClick> Clicks)
{
    /// <summary>The mask's run lengths, checked to cover the image exactly.</summary>
    /// <exception cref="InvalidOperationException">The item has no mask.</exception>
    /// <exception cref="ArgumentException">The compressed counts are malformed or do not cover height x width pixels.</exception>
    internal uint[] MaskCounts()
    {
        var mask = Mask ?? throw new InvalidOperationException($"Export item '{InstanceId}' has no mask.");
        uint[] counts;
        try
        {
            counts = mask.ToCounts();
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"Export item '{InstanceId}' ({ImageFile}): the mask RLE is malformed: {ex.Message}", ex);
        }
        long sum = 0;
        foreach (var count in counts) sum += count;
        if (sum != (long)mask.Height * mask.Width)
            throw new ArgumentException(
                $"Export item '{InstanceId}' ({ImageFile}): the mask RLE covers {sum} pixels, expected {mask.Height}x{mask.Width} = {(long)mask.Height * mask.Width}.");
        return counts;
    }

    /// <summary>Checks what the exporters rely on.</summary>
    /// <exception cref="ArgumentException">
    /// An empty id, image file or class name; a non-positive image size; a box that is not finite or not
    /// ordered (X0 &lt; X1, Y0 &lt; Y1); a mask whose size is not the image's; a missing provenance, round or
    /// click; a predicted IoU, time or click position that is not finite.
    /// </exception>
    internal void Validate()
    {
        string? problem = null;
        if (Provenance?.Annotators is null || Provenance.Rounds is null || Clicks is null) problem = "the provenance or click list is missing";
        else if (string.IsNullOrEmpty(InstanceId)) problem = "the instance id is empty";
        else if (string.IsNullOrEmpty(ImageFile)) problem = "the image file is empty";
        else if (string.IsNullOrEmpty(ClassName)) problem = "the class name is empty";
        else if (ImageWidth <= 0 || ImageHeight <= 0) problem = $"the image size {ImageWidth}x{ImageHeight} is not positive";
        else if (!double.IsFinite(X0) || !double.IsFinite(Y0) || !double.IsFinite(X1) || !double.IsFinite(Y1) || X0 >= X1 || Y0 >= Y1)
            problem = string.Create(CultureInfo.InvariantCulture, $"the box ({X0}, {Y0}, {X1}, {Y1}) is not a finite box with X0 < X1 and Y0 < Y1");
        else if (Mask is not null && (Mask.Width != ImageWidth || Mask.Height != ImageHeight))
            problem = $"the mask is {Mask.Width}x{Mask.Height} but the image is {ImageWidth}x{ImageHeight}";
        else if (PredictedIoU is { } iou && !double.IsFinite(iou)) problem = string.Create(CultureInfo.InvariantCulture, $"the predicted IoU {iou} is not finite");
        else if (!double.IsFinite(Provenance.TotalSeconds) || Provenance.Rounds.Any(r => r is null || !double.IsFinite(r.Seconds)))
            problem = "the provenance has a missing round or a time that is not finite";
        else if (Clicks.Any(c => c is null || !double.IsFinite(c.X) || !double.IsFinite(c.Y)))
            problem = "a click is missing or its position is not finite";
        if (problem is not null)
            throw new ArgumentException($"Export item '{InstanceId}' ({ImageFile}): {problem}.");
    }
}

/// <summary>How an instance was annotated, summed over its rounds.</summary>
/// <param name="RoundsAnswered">Number of rounds answered (not skipped).</param>
/// <param name="Annotators">The annotators involved, in order of first appearance.</param>
/// <param name="TotalSeconds">Time spent over all rounds, in seconds.</param>
/// <param name="TotalClicks">Clicks over all rounds.</param>
/// <param name="Rounds">One entry per round, answered or skipped.</param>
public sealed record ExportProvenance(
    int RoundsAnswered,
    IReadOnlyList<string> Annotators,
    double TotalSeconds,
    int TotalClicks,
    IReadOnlyList<ExportRound> Rounds)
{
    /// <summary>Provenance of an instance nobody worked on.</summary>
    public static ExportProvenance None { get; } = new(0, [], 0, 0, []);
}

/// <summary>One annotation round of an instance.</summary>
/// <param name="Round">The round number.</param>
/// <param name="Annotator">Who worked on it.</param>
/// <param name="Clicks">Clicks made in the round.</param>
/// <param name="Seconds">Time spent, in seconds.</param>
/// <param name="Skipped">Whether the annotator skipped the instance in this round.</param>
public sealed record ExportRound(int Round, string Annotator, int Clicks, double Seconds, bool Skipped);

/// <summary>An annotator click in image pixel coordinates (continuous: the centre of pixel (i, j) is (i+0.5, j+0.5)).</summary>
/// <param name="X">Horizontal position in pixels.</param>
/// <param name="Y">Vertical position in pixels.</param>
/// <param name="Foreground">True for a click on the object, false for background.</param>
/// <param name="Round">The round the click was made in.</param>
public sealed record ExportClick(double X, double Y, bool Foreground, int Round);
