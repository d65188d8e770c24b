using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Segmentation.Masks;

namespace Segmentation.Interchange;

/// <summary>
/// Writes finished masks as a COCO instances file that <see cref="CocoBoxImport"/> (and pycocotools) can read.
/// </summary>
/// <remarks>
/// <para>
/// Output, UTF-8 JSON: <c>images</c> (one per distinct image file, ids 1..n in order of first appearance,
/// with <c>file_name</c>, <c>width</c>, <c>height</c>), <c>categories</c> (one per distinct class name, ids
/// 1..n, with <c>name</c>) and <c>annotations</c> (ids 1..n) with <c>image_id</c>, <c>category_id</c>,
/// <c>bbox</c> <c>[x, y, w, h]</c> from the item's box, <c>area</c> (the mask's pixel count), <c>iscrowd</c> 0,
/// <c>segmentation</c> <c>{"size": [h, w], "counts": "..."}</c> (compressed RLE), and the extra fields
/// <c>instance_id</c>, <c>status</c>, <c>predicted_iou</c> (null when unknown) and <c>provenance</c>
/// <c>{"rounds_answered", "annotators", "total_seconds", "total_clicks", "rounds": [{"round", "annotator",
/// "clicks", "seconds", "skipped"}]}</c>.
/// </para>
/// <para>Items without a mask are skipped: COCO has no place for an instance without a segmentation.</para>
/// <para>
/// <see cref="WriteAsync"/> streams and writes <c>annotations</c> first, then <c>images</c> and <c>categories</c>;
/// <see cref="Write"/> holds everything in memory and writes <c>images</c>, <c>categories</c>, <c>annotations</c>.
/// Readers of COCO files do not depend on the order of the keys.
/// </para>
/// </remarks>
public static class CocoMaskExport
{
    /// <summary>Bytes the JSON writer gathers before handing them to the output.</summary>
    private const int FlushBytes = 64 * 1024;

    private static JsonWriterOptions Options(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep non-ASCII names readable; the file is not embedded in HTML
    };

    /// <summary>
    /// Writes the COCO file to <paramref name="output"/> as the items come, asynchronously, with memory bounded by one
    /// item plus the class names and the image file names seen (the <c>images</c> entries wait in a temporary file).
    /// </summary>
    /// <param name="items">
    /// The instances, grouped by image file: all items of one image one after another. Those without a mask are skipped.
    /// </param>
    /// <param name="output">Where the JSON goes; only written asynchronously (flushed every 64 KiB or so), and left open.</param>
    /// <param name="cancellation">Stops the export between items.</param>
    /// <returns>The number of annotations written.</returns>
    /// <exception cref="ArgumentException">
    /// An item is invalid (see <see cref="MaskExportItem"/>), gives another size for the image file of the item before
    /// it, or names an image file that an earlier group already had. It is found when reached, so the output then holds
    /// unfinished JSON.
    /// </exception>
    public static async Task<int> WriteAsync(IAsyncEnumerable<MaskExportItem> items, Stream output, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream cannot be written.", nameof(output));

        await using var imageSpool = TempSpool.Create();
        using var images = new BinaryWriter(imageSpool, Encoding.UTF8, leaveOpen: true);
        var seenImages = new CompactStringMap();
        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        var categoryOrder = new List<string>();
        MaskExportItem? group = null; // the first item of the current image
        var annotationId = 0;

        await using var writer = new Utf8JsonWriter(output, Options(indented: false));
        writer.WriteStartObject();
        writer.WriteStartArray("annotations");
        await foreach (var item in items.WithCancellation(cancellation))
        {
            cancellation.ThrowIfCancellationRequested(); // the source may not observe the token itself
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Mask is null) continue;
            item.Validate();
            var area = CocoRle.Area(item.MaskCounts());
            if (group is not null && string.Equals(group.ImageFile, item.ImageFile, StringComparison.Ordinal))
            {
                if (group.ImageWidth != item.ImageWidth || group.ImageHeight != item.ImageHeight)
                    throw new ArgumentException(
                        $"Export item '{item.InstanceId}': image {item.ImageFile} is {item.ImageWidth}x{item.ImageHeight}, " +
                        $"but an earlier item gave {group.ImageWidth}x{group.ImageHeight}.", nameof(items));
            }
            else
            {
                if (!seenImages.TryAdd(item.ImageFile, seenImages.Count + 1, out _))
                    throw new ArgumentException(
                        $"Export item '{item.InstanceId}': image {item.ImageFile} comes back after items of other images; " +
                        "items must arrive grouped by image file.", nameof(items));
                group = item;
                images.Write(item.ImageFile);
                images.Write(item.ImageWidth);
                images.Write(item.ImageHeight);
            }
            if (!categories.TryGetValue(item.ClassName, out var categoryId))
            {
                categoryId = categories.Count + 1;
                categories.Add(item.ClassName, categoryId);
                categoryOrder.Add(item.ClassName);
            }
            WriteAnnotation(writer, item, ++annotationId, seenImages.Count, categoryId, area);
            if (writer.BytesPending >= FlushBytes) await writer.FlushAsync(cancellation);
        }
        writer.WriteEndArray();

        images.Flush();
        imageSpool.Position = 0;
        writer.WriteStartArray("images");
        using (var reader = new BinaryReader(imageSpool, Encoding.UTF8, leaveOpen: true))
        {
            for (var id = 1; id <= seenImages.Count; id++)
            {
                var fileName = reader.ReadString();
                var width = reader.ReadInt32();
                var height = reader.ReadInt32();
                WriteImage(writer, id, fileName, width, height);
                if (writer.BytesPending >= FlushBytes) await writer.FlushAsync(cancellation);
            }
        }
        writer.WriteEndArray();

        writer.WriteStartArray("categories");
        for (var i = 0; i < categoryOrder.Count; i++) WriteCategory(writer, i + 1, categoryOrder[i]);
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellation);
        return annotationId;
    }

    private static void WriteImage(Utf8JsonWriter writer, int id, string fileName, int width, int height)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", id);
        writer.WriteString("file_name", fileName);
        writer.WriteNumber("width", width);
        writer.WriteNumber("height", height);
        writer.WriteEndObject();
    }

    private static void WriteCategory(Utf8JsonWriter writer, int id, string name)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", id);
        writer.WriteString("name", name);
        writer.WriteEndObject();
    }

    /// <summary>Writes the COCO file to <paramref name="output"/>, which is left open.</summary>
    /// <remarks>Every item is kept in memory and the output is written synchronously; for large exports use <see cref="WriteAsync"/>.</remarks>
    /// <param name="items">The instances; those without a mask are skipped.</param>
    /// <param name="output">Where the JSON goes.</param>
    /// <param name="indented">Whether to indent the JSON for reading.</param>
    /// <returns>The number of annotations written.</returns>
    /// <exception cref="ArgumentException">
    /// An item is invalid (see <see cref="MaskExportItem"/>: empty names, a bad box, a mask of the wrong size
    /// or malformed RLE, a non-finite number), or two items give different sizes for the same image file.
    /// Items are checked before anything is written.
    /// </exception>
    public static int Write(IEnumerable<MaskExportItem> items, Stream output, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);

        var annotations = new List<(MaskExportItem Item, int ImageId, int CategoryId, long Area)>();
        var images = new Dictionary<string, (int Id, int Width, int Height)>(StringComparer.Ordinal);
        var imageOrder = new List<string>();
        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        var categoryOrder = new List<string>();
        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Mask is null) continue;
            item.Validate();
            var area = CocoRle.Area(item.MaskCounts());
            if (images.TryGetValue(item.ImageFile, out var image))
            {
                if (image.Width != item.ImageWidth || image.Height != item.ImageHeight)
                    throw new ArgumentException(
                        $"Export item '{item.InstanceId}': image {item.ImageFile} is {item.ImageWidth}x{item.ImageHeight}, " +
                        $"but an earlier item gave {image.Width}x{image.Height}.", nameof(items));
            }
            else
            {
                image = (images.Count + 1, item.ImageWidth, item.ImageHeight);
                images.Add(item.ImageFile, image);
                imageOrder.Add(item.ImageFile);
            }
            if (!categories.TryGetValue(item.ClassName, out var categoryId))
            {
                categoryId = categories.Count + 1;
                categories.Add(item.ClassName, categoryId);
                categoryOrder.Add(item.ClassName);
            }
            annotations.Add((item, image.Id, categoryId, area));
        }

        using var writer = new Utf8JsonWriter(output, Options(indented));
        writer.WriteStartObject();

        writer.WriteStartArray("images");
        foreach (var fileName in imageOrder)
        {
            var image = images[fileName];
            WriteImage(writer, image.Id, fileName, image.Width, image.Height);
        }
        writer.WriteEndArray();

        writer.WriteStartArray("categories");
        foreach (var name in categoryOrder) WriteCategory(writer, categories[name], name);
        writer.WriteEndArray();

        writer.WriteStartArray("annotations");
        var annotationId = 0;
        foreach (var (item, imageId, categoryId, area) in annotations)
            WriteAnnotation(writer, item, ++annotationId, imageId, categoryId, area);
        writer.WriteEndArray();

        writer.WriteEndObject();
        writer.Flush();
        return annotations.Count;
    }

    private static void WriteAnnotation(Utf8JsonWriter writer, MaskExportItem item, int id, int imageId, int categoryId, long area)
    {
        var mask = item.Mask!;
        writer.WriteStartObject();
        writer.WriteNumber("id", id);
        writer.WriteNumber("image_id", imageId);
        writer.WriteNumber("category_id", categoryId);
        writer.WriteStartArray("bbox");
        writer.WriteNumberValue(item.X0);
        writer.WriteNumberValue(item.Y0);
        writer.WriteNumberValue(item.X1 - item.X0);
        writer.WriteNumberValue(item.Y1 - item.Y0);
        writer.WriteEndArray();
        writer.WriteNumber("area", area);
        writer.WriteNumber("iscrowd", 0);
        writer.WriteStartObject("segmentation");
        writer.WriteStartArray("size");
        writer.WriteNumberValue(mask.Height);
        writer.WriteNumberValue(mask.Width);
        writer.WriteEndArray();
        writer.WriteString("counts", mask.Counts);
        writer.WriteEndObject();
        writer.WriteString("instance_id", item.InstanceId);
        writer.WriteString("status", item.Status);
        if (item.PredictedIoU is { } iou) writer.WriteNumber("predicted_iou", iou);
        else writer.WriteNull("predicted_iou");
        WriteProvenance(writer, item.Provenance);
        writer.WriteEndObject();
    }

    private static void WriteProvenance(Utf8JsonWriter writer, ExportProvenance provenance)
    {
        writer.WriteStartObject("provenance");
        writer.WriteNumber("rounds_answered", provenance.RoundsAnswered);
        writer.WriteStartArray("annotators");
        foreach (var annotator in provenance.Annotators) writer.WriteStringValue(annotator);
        writer.WriteEndArray();
        writer.WriteNumber("total_seconds", provenance.TotalSeconds);
        writer.WriteNumber("total_clicks", provenance.TotalClicks);
        writer.WriteStartArray("rounds");
        foreach (var round in provenance.Rounds)
        {
            writer.WriteStartObject();
            writer.WriteNumber("round", round.Round);
            writer.WriteString("annotator", round.Annotator);
            writer.WriteNumber("clicks", round.Clicks);
            writer.WriteNumber("seconds", round.Seconds);
            writer.WriteBoolean("skipped", round.Skipped);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
