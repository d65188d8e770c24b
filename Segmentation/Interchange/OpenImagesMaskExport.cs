using System.Globalization;
using System.IO.Compression;
using System.Text;
using Segmentation.Imaging;

namespace Segmentation.Interchange;

/// <summary>
/// Writes finished masks in the OpenImages segmentation style: a zip with one binary PNG per mask and a
/// <c>masks.csv</c> describing them.
/// </summary>
/// <remarks>
/// <para>
/// Each mask is an 8-bit greyscale PNG of the image's size (0 background, 255 object) at
/// <c>masks/{imageStem}_{class}_{instanceId}.png</c>, where every part is sanitised to ASCII letters, digits,
/// '-' and '_' (other characters become '_'; so <c>/m/01g317</c> becomes <c>_m_01g317</c>, and a leading '-' of the
/// whole name becomes '_'). Should two masks end up with the same name (ignoring case), later ones get <c>_2</c>,
/// <c>_3</c>, ... before the extension.
/// </para>
/// <para>
/// <c>masks.csv</c> (UTF-8, CRLF lines, RFC 4180 quoting where needed) has the header
/// <c>MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks,Rounds,Annotators,Seconds</c>:
/// <c>MaskPath</c> is the PNG's file name inside the <c>masks/</c> folder (as OpenImages names mask files),
/// <c>ImageID</c> the image file name without folder and extension (so images with the same name in different
/// folders share an ImageID), <c>LabelName</c> the class and <c>BoxID</c> the instance id as they are, the box
/// as fractions of the image size, <c>PredictedIoU</c> empty when unknown, <c>Clicks</c> as
/// <c>x y label;x y label</c> with fractional coordinates and label 1 (foreground) or 0 (background),
/// <c>Rounds</c> the rounds answered, <c>Annotators</c> joined by ';', and <c>Seconds</c> the total time.
/// Numbers use the invariant culture and round-trip precision. The text cells (<c>ImageID</c>, <c>LabelName</c>,
/// <c>BoxID</c>, <c>Annotators</c>) that start with '=', '+', '-', '@', a tab or a carriage return get a leading
/// single quote, so that a spreadsheet does not run them as formulas; number cells are left as they are (see
/// <see cref="CsvWriter"/>), and <c>MaskPath</c> never starts with such a character.
/// </para>
/// <para>Items without a mask are skipped.</para>
/// </remarks>
public static class OpenImagesMaskExport
{
    /// <summary>The name of the CSV entry in the zip.</summary>
    public const string CsvEntryName = "masks.csv";

    /// <summary>The folder of the mask PNGs in the zip (with its trailing '/').</summary>
    public const string MasksFolder = "masks/";

    /// <summary>The columns of <c>masks.csv</c>, in order.</summary>
    public static IReadOnlyList<string> CsvColumns { get; } =
    [
        "MaskPath", "ImageID", "LabelName", "BoxID", "BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax",
        "PredictedIoU", "Clicks", "Rounds", "Annotators", "Seconds",
    ];

    /// <summary>
    /// Writes the zip to <paramref name="output"/> as the items come, asynchronously, with memory bounded by one mask
    /// (and the mask names used so far): each PNG is written as soon as it is made, the CSV rows are compressed into a
    /// temporary file that becomes the last entry. <paramref name="output"/> need not be seekable, is only written
    /// asynchronously, and is left open.
    /// </summary>
    /// <param name="items">The instances, in any order; those without a mask are skipped.</param>
    /// <param name="output">Where the zip goes.</param>
    /// <param name="cancellation">Stops the export between items.</param>
    /// <returns>The number of masks written.</returns>
    /// <exception cref="ArgumentException">
    /// An item is invalid (see <see cref="MaskExportItem"/>). It is found when reached, so the output then holds an
    /// unfinished archive.
    /// </exception>
    public static async Task<int> WriteAsync(IAsyncEnumerable<MaskExportItem> items, Stream output, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream cannot be written.", nameof(output));

        await using var zip = new StreamingZipWriter(output);
        await using var csvSpool = TempSpool.Create();
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        uint crc = 0;
        long csvLength = 0;
        var written = 0;
        using (var deflate = new DeflateStream(csvSpool, CompressionLevel.Optimal, leaveOpen: true))
        {
            void AddLine(IEnumerable<string> fields)
            {
                var bytes = utf8.GetBytes(CsvWriter.Record(fields));
                crc = Crc32.Append(crc, bytes);
                csvLength += bytes.Length;
                deflate.Write(bytes); // to the temporary file, not to the output
            }

            AddLine(CsvColumns);
            var usedNames = new CompactStringMap();
            await foreach (var item in items.WithCancellation(cancellation))
            {
                cancellation.ThrowIfCancellationRequested(); // the source may not observe the token itself
                ArgumentNullException.ThrowIfNull(item, nameof(items));
                if (item.Mask is null) continue;
                item.Validate();
                item.MaskCounts();
                var fileName = UniqueName(MaskFileName(item), usedNames);
                var png = ImageCodec.EncodeMaskPng(item.Mask.ToMask());
                await zip.AddStoredAsync(MasksFolder + fileName, png, cancellation); // PNG is compressed already
                AddLine(CsvRecord(item, fileName));
                written++;
            }
        }
        csvSpool.Position = 0;
        await zip.AddDeflatedAsync(CsvEntryName, csvSpool, crc, csvLength, cancellation);
        await zip.FinishAsync(cancellation);
        return written;
    }

    /// <summary>Writes the zip to <paramref name="output"/>, which is left open (it need not be seekable).</summary>
    /// <remarks>Every item is kept in memory and the output is written synchronously; for large exports use <see cref="WriteAsync"/>.</remarks>
    /// <param name="items">The instances; those without a mask are skipped.</param>
    /// <param name="output">Where the zip goes.</param>
    /// <returns>The number of masks written.</returns>
    /// <exception cref="ArgumentException">
    /// An item is invalid (see <see cref="MaskExportItem"/>); items are checked before anything is written.
    /// </exception>
    public static int Write(IEnumerable<MaskExportItem> items, Stream output)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        var withMasks = new List<MaskExportItem>();
        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Mask is null) continue;
            item.Validate();
            item.MaskCounts();
            withMasks.Add(item);
        }

        var csv = new StringBuilder();
        CsvWriter.AppendRecord(csv, CsvColumns);
        var usedNames = new CompactStringMap();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var item in withMasks)
            {
                var fileName = UniqueName(MaskFileName(item), usedNames);
                var png = ImageCodec.EncodeMaskPng(item.Mask!.ToMask());
                var entry = zip.CreateEntry(MasksFolder + fileName, CompressionLevel.NoCompression); // PNG is compressed already
                using (var stream = entry.Open()) stream.Write(png);
                CsvWriter.AppendRecord(csv, CsvRecord(item, fileName));
            }
            var csvEntry = zip.CreateEntry(CsvEntryName, CompressionLevel.Optimal);
            using var csvStream = csvEntry.Open();
            csvStream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(csv.ToString()));
        }
        return withMasks.Count;
    }

    /// <summary>The mask's file name before de-duplication: <c>{imageStem}_{class}_{instanceId}.png</c>, each part sanitised.</summary>
    public static string MaskFileName(MaskExportItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var name = $"{InterchangeNames.Sanitize(ImageId(item.ImageFile))}_{InterchangeNames.Sanitize(item.ClassName)}_{InterchangeNames.Sanitize(item.InstanceId)}.png";
        // A leading '-' would make the MaskPath cell look like a formula to a spreadsheet, and a file name like an option to a shell tool.
        return name[0] == '-' ? "_" + name[1..] : name;
    }

    /// <summary>The OpenImages ImageID of an image file: its name without folder and extension.</summary>
    public static string ImageId(string imageFile)
    {
        ArgumentNullException.ThrowIfNull(imageFile);
        var name = imageFile[(imageFile.LastIndexOfAny(['/', '\\']) + 1)..];
        var dot = name.LastIndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }

    /// <summary>The name, or the first free one with a number added; names differing only in case count as the same.</summary>
    private static string UniqueName(string fileName, CompactStringMap used)
    {
        if (used.TryAdd(fileName.ToLowerInvariant(), 0, out _)) return fileName;
        var stem = fileName[..^".png".Length];
        for (var n = 2; ; n++)
        {
            var candidate = $"{stem}_{n.ToString(CultureInfo.InvariantCulture)}.png";
            if (used.TryAdd(candidate.ToLowerInvariant(), 0, out _)) return candidate;
        }
    }

    private static string[] CsvRecord(MaskExportItem item, string fileName)
    {
        double width = item.ImageWidth, height = item.ImageHeight;
        var clicks = string.Join(';', item.Clicks.Select(c =>
            $"{Number(c.X / width)} {Number(c.Y / height)} {(c.Foreground ? "1" : "0")}"));
        return
        [
            fileName,
            CsvWriter.Text(ImageId(item.ImageFile)),
            CsvWriter.Text(item.ClassName),
            CsvWriter.Text(item.InstanceId),
            Number(item.X0 / width),
            Number(item.X1 / width),
            Number(item.Y0 / height),
            Number(item.Y1 / height),
            item.PredictedIoU is { } iou ? Number(iou) : "",
            clicks,
            item.Provenance.RoundsAnswered.ToString(CultureInfo.InvariantCulture),
            CsvWriter.Text(string.Join(';', item.Provenance.Annotators)),
            Number(item.Provenance.TotalSeconds),
        ];
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
