using Segmentation.Masks;

namespace Segmentation.Simulation;

/// <summary>Where inside an error region the simulated annotator clicks.</summary>
public enum ClickStrategy
{
    /// <summary>At the interior centre: the pixel farthest from the region's outside (image border included).</summary>
    Center,

    /// <summary>On the ground-truth boundary next to the error, still inside the error region.</summary>
    Boundary,
}

/// <summary>Settings of the simulated click annotator.</summary>
/// <param name="MinRegionArea">Error regions (connected components) with fewer pixels are ignored (100 = 10x10 px).</param>
/// <param name="NoiseSigmaPx">Standard deviation of the Gaussian noise added to each click coordinate; 0 for exact clicks.</param>
/// <param name="Strategy">Where in the region the click goes before noise.</param>
/// <param name="MinRegionThicknessPx">
/// Error regions thinner than this are ignored too: a region counts only if twice its largest interior distance
/// to the outside (the diameter of the largest disk it holds, in pixels) reaches this. Thin slivers along the
/// object boundary are disagreements of a few pixels that an annotator does not click on. With the default
/// area of 100 and thickness of 10, an ignored region is one "smaller than 10x10 px" in either sense. 0 turns it off.
/// </param>
public sealed record ClickSimulatorOptions(
    int MinRegionArea = 100,
    double NoiseSigmaPx = 3,
    ClickStrategy Strategy = ClickStrategy.Center,
    double MinRegionThicknessPx = 10)
{
    /// <summary>Noisy positions drawn before falling back to the noiseless point when they all leave the region part.</summary>
    public int MaxNoiseRedraws { get; init; } = 10;

    /// <summary>Pixel connectivity (4 or 8) used to split errors into regions.</summary>
    public int Connectivity { get; init; } = 8;
}

/// <summary>
/// Simulates an annotator who corrects a predicted mask with clicks: foreground clicks on false negatives
/// (object pixels the prediction misses), background clicks on false positives.
/// </summary>
/// <remarks>
/// <para>One round of <see cref="CorrectiveClicks"/>:</para>
/// <list type="number">
/// <item>Error pixels are FN = GT ∧ ¬pred and FP = pred ∧ ¬GT, excluding pixels of the ignore mask. Each kind is
/// split into connected components (<see cref="ClickSimulatorOptions.Connectivity"/>); components with fewer than
/// <see cref="ClickSimulatorOptions.MinRegionArea"/> pixels are dropped. No remaining region means zero clicks
/// (the annotator answers "the mask is good").</item>
/// <item>Regions are sorted by area, largest first (ties: FN before FP, then raster order of the region's first
/// pixel). With K clicks and R regions: if K ≤ R the K largest regions get one click each. Otherwise every region
/// gets one click and the E = K − R extra clicks are shared in proportion to area by the largest-remainder method
/// (region i gets ⌊E·aᵢ/Σa⌋, and the leftover clicks go one each to the largest remainders E·aᵢ mod Σa, ties to the
/// larger region). A region never gets more clicks than it has pixels, so fewer than K clicks can result only for
/// tiny regions.</item>
/// <item>A region with n &gt; 1 clicks is partitioned into n parts by recursive splitting along the principal
/// (longest) axis of its pixel coordinates: the pixels are ordered by their projection on that axis and cut so
/// the two sides get pixel counts in proportion ⌊n/2⌋ : n − ⌊n/2⌋, then each side is split again. Each part gets
/// one click.</item>
/// <item>The click point of a part: for <see cref="ClickStrategy.Center"/>, the maximum of the Euclidean distance
/// transform to the part's outside, with the image border counted as outside; ties go to the tied pixel nearest
/// to the centroid of the tied pixels, then raster order. For <see cref="ClickStrategy.Boundary"/>, the part pixel
/// nearest to the other side of the ground truth (for FN the nearest non-object pixel, for FP the nearest object
/// pixel; the image border is not a ground-truth boundary), ties going to the pixel nearest to the Center point,
/// then raster order; if the ground truth has no other side the Center point is used.</item>
/// <item>Gaussian noise (σ = <see cref="ClickSimulatorOptions.NoiseSigmaPx"/>) is added to the pixel centre. A noisy
/// point outside the part is redrawn, up to <see cref="ClickSimulatorOptions.MaxNoiseRedraws"/> times, after which
/// the noiseless pixel centre is used. So every click lies inside the error region (and part) it corrects.</item>
/// </list>
/// <para>Clicks are returned region by region in the sorted order, parts in split order. The same inputs and a
/// <see cref="Random"/> with the same seed give the same clicks.</para>
/// </remarks>
public sealed class ClickSimulator
{
    /// <summary>How far (px) around a part the ground truth is searched for a boundary before searching the whole image.</summary>
    private const int BoundarySearchMargin = 8;

    public ClickSimulator(ClickSimulatorOptions? options = null)
    {
        Options = options ?? new ClickSimulatorOptions();
        if (Options.MinRegionArea < 0) throw new ArgumentOutOfRangeException(nameof(options), "MinRegionArea must be non-negative.");
        if (Options.NoiseSigmaPx < 0) throw new ArgumentOutOfRangeException(nameof(options), "NoiseSigmaPx must be non-negative.");
        if (Options.MaxNoiseRedraws < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxNoiseRedraws must be non-negative.");
        if (Options.Connectivity is not (4 or 8)) throw new ArgumentOutOfRangeException(nameof(options), "Connectivity must be 4 or 8.");
    }

    public ClickSimulatorOptions Options { get; }

    /// <summary>
    /// Up to <paramref name="maxClicks"/> corrective clicks on the errors of <paramref name="current"/> with respect
    /// to <paramref name="groundTruth"/>; empty when no error region is large enough. See the class remarks for the rule.
    /// </summary>
    public IReadOnlyList<Click> CorrectiveClicks(
        BinaryMask groundTruth, BinaryMask current, int maxClicks, Random rng, BinaryMask? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(maxClicks);
        var errors = ErrorMasks.Compute(groundTruth, current, ignore);
        if (maxClicks == 0) return [];

        var regions = new List<ErrorRegion>();
        CollectRegions(errors.FalseNegatives, errors.FnBounds, ClickLabel.Foreground, regions);
        CollectRegions(errors.FalsePositives, errors.FpBounds, ClickLabel.Background, regions);
        if (regions.Count == 0) return [];
        regions.Sort(static (a, b) => a.Area != b.Area ? b.Area.CompareTo(a.Area) : a.Order.CompareTo(b.Order));

        var areas = new int[regions.Count];
        for (var i = 0; i < areas.Length; i++) areas[i] = regions[i].Area;
        var counts = AllocateClicks(areas, maxClicks);

        int width = groundTruth.Width, height = groundTruth.Height;
        var clicks = new List<Click>();
        for (var r = 0; r < regions.Count; r++)
        {
            if (counts[r] == 0) continue;
            var region = regions[r];
            var pixels = region.Pixels(width);
            var parts = new List<int[]>(counts[r]);
            SplitAlongPrincipalAxis(pixels, counts[r], width, parts);
            foreach (var part in parts)
            {
                var crop = PaddedCrop.FromPixels(part, width);
                var (cx, cy) = crop.InteriorCentre();
                if (Options.Strategy == ClickStrategy.Boundary)
                    (cx, cy) = BoundaryPoint(groundTruth, part, region.Label, cx, cy, width, height);
                clicks.Add(AddNoise(cx, cy, region.Label, crop, rng));
            }
        }
        return clicks;
    }

    /// <summary>
    /// The deterministic next click of the standard NoC protocol (as in the RITM/FocalClick evaluation code): with
    /// FN and FP as above, take the Euclidean distance transform of each to its outside with the image border
    /// treated as outside, pick the kind with the larger maximum (strictly larger FN maximum gives a foreground
    /// click, otherwise background) and click at its maximum (first in raster order among ties). No noise and no
    /// minimum area. Pixels of <paramref name="alreadyClicked"/> are skipped as candidates (they still count as
    /// error pixels for the distances). Null when there is no (remaining) error pixel.
    /// </summary>
    /// <remarks>With an empty prediction the first click lands at the object's interior centre.</remarks>
    public static Click? LargestErrorClick(
        BinaryMask groundTruth, BinaryMask current, BinaryMask? ignore = null, IEnumerable<Click>? alreadyClicked = null)
    {
        var errors = ErrorMasks.Compute(groundTruth, current, ignore);
        HashSet<int>? skip = null;
        if (alreadyClicked is not null)
        {
            skip = [];
            foreach (var c in alreadyClicked)
                if (groundTruth.Contains(c.PixelX, c.PixelY)) skip.Add(c.PixelY * groundTruth.Width + c.PixelX);
        }
        var fn = MaxDistance(errors.FalseNegatives, errors.FnBounds, skip);
        var fp = MaxDistance(errors.FalsePositives, errors.FpBounds, skip);
        if (fn.SquaredDistance <= 0 && fp.SquaredDistance <= 0) return null;
        return fn.SquaredDistance > fp.SquaredDistance
            ? Click.AtPixel(fn.X, fn.Y, ClickLabel.Foreground)
            : Click.AtPixel(fp.X, fp.Y, ClickLabel.Background);
    }

    /// <summary>
    /// Clicks per region for regions sorted by area (largest first); see the class remarks. Exposed for tests.
    /// </summary>
    internal static int[] AllocateClicks(IReadOnlyList<int> areasLargestFirst, int maxClicks)
    {
        var n = areasLargestFirst.Count;
        var counts = new int[n];
        if (n == 0 || maxClicks <= 0) return counts;
        if (maxClicks <= n)
        {
            for (var i = 0; i < maxClicks; i++) counts[i] = 1;
            return counts;
        }

        long extra = maxClicks - n, total = 0;
        foreach (var a in areasLargestFirst) total += a;
        var remainders = new long[n];
        long given = 0;
        for (var i = 0; i < n; i++)
        {
            var share = extra * areasLargestFirst[i];
            counts[i] = 1 + (int)(share / total);
            remainders[i] = share % total;
            given += share / total;
        }
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) => remainders[a] != remainders[b] ? remainders[b].CompareTo(remainders[a]) : a.CompareTo(b));
        for (var k = 0; k < extra - given; k++) counts[order[k]]++;
        for (var i = 0; i < n; i++) counts[i] = Math.Min(counts[i], areasLargestFirst[i]);
        return counts;
    }

    /// <summary>
    /// Splits pixel indices (row-major, image width <paramref name="width"/>) into <paramref name="parts"/> groups by
    /// recursive cuts along the principal axis; each group comes back in raster order. Exposed for tests.
    /// </summary>
    internal static void SplitAlongPrincipalAxis(int[] pixels, int parts, int width, List<int[]> output)
    {
        if (parts <= 1 || pixels.Length <= 1)
        {
            Array.Sort(pixels);
            output.Add(pixels);
            return;
        }
        parts = Math.Min(parts, pixels.Length);

        double sx = 0, sy = 0;
        foreach (var p in pixels)
        {
            sx += p % width;
            sy += p / width;
        }
        double mx = sx / pixels.Length, my = sy / pixels.Length;
        double cxx = 0, cyy = 0, cxy = 0;
        foreach (var p in pixels)
        {
            double dx = p % width - mx, dy = p / width - my;
            cxx += dx * dx;
            cyy += dy * dy;
            cxy += dx * dy;
        }
        // Orientation of the major axis of the 2x2 covariance (x axis for an isotropic set).
        var angle = 0.5 * Math.Atan2(2 * cxy, cxx - cyy);
        double ax = Math.Cos(angle), ay = Math.Sin(angle);

        var keys = new double[pixels.Length];
        var items = (int[])pixels.Clone();
        for (var i = 0; i < items.Length; i++)
            keys[i] = (items[i] % width - mx) * ax + (items[i] / width - my) * ay;
        Array.Sort(keys, items);

        var first = parts / 2;
        var cut = (int)Math.Round((double)items.Length * first / parts);
        cut = Math.Clamp(cut, first, items.Length - (parts - first));
        SplitAlongPrincipalAxis(items[..cut], first, width, output);
        SplitAlongPrincipalAxis(items[cut..], parts - first, width, output);
    }

    private void CollectRegions(BinaryMask errors, PixelRect? bounds, ClickLabel label, List<ErrorRegion> regions)
    {
        if (bounds is null) return;
        var (labels, components) = ConnectedComponents.Label(errors, Options.Connectivity);
        foreach (var c in components)
        {
            if (c.Area < Options.MinRegionArea || c.Area == 0) continue;
            var region = new ErrorRegion(label, c.Area, c.Bounds, c.Label, labels, regions.Count);
            if (Options.MinRegionThicknessPx > 0
                && 2 * PaddedCrop.FromPixels(region.Pixels(errors.Width), errors.Width).MaxDepth() < Options.MinRegionThicknessPx)
                continue;
            regions.Add(region);
        }
    }

    private Click AddNoise(int x, int y, ClickLabel label, PaddedCrop part, Random rng)
    {
        var sigma = Options.NoiseSigmaPx;
        if (sigma > 0)
        {
            for (var attempt = 0; attempt < Options.MaxNoiseRedraws; attempt++)
            {
                var nx = x + 0.5 + sigma * rng.NextGaussian();
                var ny = y + 0.5 + sigma * rng.NextGaussian();
                if (part.ContainsImagePixel((int)Math.Floor(nx), (int)Math.Floor(ny))) return new Click(nx, ny, label);
            }
        }
        return Click.AtPixel(x, y, label);
    }

    /// <summary>The part pixel nearest to the other side of the ground truth; see the class remarks.</summary>
    private static (int X, int Y) BoundaryPoint(
        BinaryMask groundTruth, int[] part, ClickLabel label, int centreX, int centreY, int width, int height)
    {
        // The other side: non-object pixels for a false negative, object pixels for a false positive.
        var otherSide = label == ClickLabel.Foreground ? (byte)0 : (byte)1;
        var bounds = PixelBounds(part, width);
        var window = Grow(bounds, BoundarySearchMargin, width, height);
        var (best, bestD2) = NearestToSource(groundTruth, otherSide, window, part, centreX, centreY);
        // A window distance within the margin is exact; beyond it a nearer source may lie outside the window.
        if (bestD2 > (double)BoundarySearchMargin * BoundarySearchMargin && window != new PixelRect(0, 0, width, height))
            (best, bestD2) = NearestToSource(groundTruth, otherSide, new PixelRect(0, 0, width, height), part, centreX, centreY);
        return float.IsPositiveInfinity(bestD2) ? (centreX, centreY) : (best % width, best / width);
    }

    private static (int Pixel, float SquaredDistance) NearestToSource(
        BinaryMask groundTruth, byte sourceValue, PixelRect window, int[] part, int centreX, int centreY)
    {
        int width = groundTruth.Width;
        var source = new BinaryMask(window.Width, window.Height);
        for (var y = 0; y < window.Height; y++)
        {
            var row = (window.Y + y) * width + window.X;
            for (var x = 0; x < window.Width; x++)
                if (groundTruth.Data[row + x] == sourceValue) source.Data[y * window.Width + x] = 1;
        }
        var d2 = DistanceTransform.SquaredDistanceTo(source);
        var best = -1;
        var bestD2 = float.PositiveInfinity;
        var bestTie = long.MaxValue;
        foreach (var p in part) // raster order, so the first of equal candidates wins
        {
            int px = p % width, py = p / width;
            var d = d2[(py - window.Y) * window.Width + (px - window.X)];
            long tie = (long)(px - centreX) * (px - centreX) + (long)(py - centreY) * (py - centreY);
            if (d < bestD2 || (d == bestD2 && tie < bestTie))
            {
                best = p;
                bestD2 = d;
                bestTie = tie;
            }
        }
        return (best, bestD2);
    }

    private static (float SquaredDistance, int X, int Y) MaxDistance(BinaryMask errors, PixelRect? bounds, HashSet<int>? skip)
    {
        if (bounds is not { } b) return (0, -1, -1);
        var crop = PaddedCrop.FromMask(errors, b);
        var d2 = DistanceTransform.SquaredDistanceToOutside(crop.Mask);
        float best = 0;
        int bx = -1, by = -1;
        for (var y = 1; y < crop.Mask.Height - 1; y++)
        {
            var row = y * crop.Mask.Width;
            for (var x = 1; x < crop.Mask.Width - 1; x++)
            {
                if (d2[row + x] <= best) continue;
                int ix = x + crop.OriginX, iy = y + crop.OriginY;
                if (skip is not null && skip.Contains(iy * errors.Width + ix)) continue;
                best = d2[row + x];
                bx = ix;
                by = iy;
            }
        }
        return (best, bx, by);
    }

    private static PixelRect PixelBounds(int[] pixels, int width)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = int.MinValue, maxY = int.MinValue;
        foreach (var p in pixels)
        {
            int x = p % width, y = p / width;
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (y < minY) minY = y;
            if (y > maxY) maxY = y;
        }
        return new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    private static PixelRect Grow(PixelRect r, int margin, int width, int height)
    {
        int x0 = Math.Max(0, r.X - margin), y0 = Math.Max(0, r.Y - margin);
        int x1 = Math.Min(width, r.Right + margin), y1 = Math.Min(height, r.Bottom + margin);
        return new PixelRect(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>One connected error region, referencing the shared label image.</summary>
    private sealed record ErrorRegion(ClickLabel Label, int Area, PixelRect Bounds, int ComponentLabel, int[] Labels, int Order)
    {
        /// <summary>The region's pixel indices in raster order.</summary>
        public int[] Pixels(int width)
        {
            var pixels = new int[Area];
            var n = 0;
            for (var y = Bounds.Y; y < Bounds.Bottom; y++)
            {
                var row = y * width;
                for (var x = Bounds.X; x < Bounds.Right; x++)
                    if (Labels[row + x] == ComponentLabel) pixels[n++] = row + x;
            }
            return pixels;
        }
    }

    /// <summary>
    /// A set of pixels copied into a mask covering their bounding box plus a one-pixel empty border, so that
    /// distance transforms treat the image border as outside while only touching the box.
    /// </summary>
    private sealed class PaddedCrop
    {
        private PaddedCrop(BinaryMask mask, int originX, int originY)
        {
            Mask = mask;
            OriginX = originX;
            OriginY = originY;
        }

        public BinaryMask Mask { get; }

        /// <summary>Image coordinates of the crop's pixel (0, 0) (one pixel outside the bounding box).</summary>
        public int OriginX { get; }
        public int OriginY { get; }

        public static PaddedCrop FromPixels(int[] pixels, int width)
        {
            var b = PixelBounds(pixels, width);
            var crop = new PaddedCrop(new BinaryMask(b.Width + 2, b.Height + 2), b.X - 1, b.Y - 1);
            foreach (var p in pixels)
                crop.Mask.Data[(p / width - crop.OriginY) * crop.Mask.Width + (p % width - crop.OriginX)] = 1;
            return crop;
        }

        public static PaddedCrop FromMask(BinaryMask mask, PixelRect b)
        {
            var crop = new PaddedCrop(new BinaryMask(b.Width + 2, b.Height + 2), b.X - 1, b.Y - 1);
            for (var y = 0; y < b.Height; y++)
                Array.Copy(mask.Data, (b.Y + y) * mask.Width + b.X, crop.Mask.Data, (y + 1) * crop.Mask.Width + 1, b.Width);
            return crop;
        }

        public bool ContainsImagePixel(int x, int y)
        {
            int cx = x - OriginX, cy = y - OriginY;
            return Mask.Contains(cx, cy) && Mask[cx, cy];
        }

        /// <summary>
        /// The pixel (image coordinates) with the largest distance to the outside; ties go to the tied pixel
        /// nearest to the tied pixels' centroid, then to raster order.
        /// </summary>
        /// <summary>The largest distance from a pixel of the part to its outside (image border included).</summary>
        public double MaxDepth()
        {
            var d2 = DistanceTransform.SquaredDistanceToOutside(Mask);
            float best = 0;
            foreach (var d in d2) if (d > best) best = d;
            return Math.Sqrt(best);
        }

        public (int X, int Y) InteriorCentre()
        {
            var d2 = DistanceTransform.SquaredDistanceToOutside(Mask);
            float best = 0;
            foreach (var d in d2) if (d > best) best = d;
            long sx = 0, sy = 0, count = 0;
            int w = Mask.Width;
            for (var i = 0; i < d2.Length; i++)
            {
                if (d2[i] != best) continue;
                sx += i % w;
                sy += i / w;
                count++;
            }
            // Compare squared distances to the centroid (sx/count, sy/count) scaled by count to stay in integers.
            var bestIndex = -1;
            var bestTie = long.MaxValue;
            for (var i = 0; i < d2.Length; i++)
            {
                if (d2[i] != best) continue;
                long dx = (i % w) * count - sx, dy = (i / w) * count - sy;
                var tie = dx * dx + dy * dy;
                if (tie < bestTie)
                {
                    bestTie = tie;
                    bestIndex = i;
                }
            }
            return (bestIndex % w + OriginX, bestIndex / w + OriginY);
        }
    }

    /// <summary>False-negative and false-positive masks of a prediction, with their bounding boxes.</summary>
    private sealed record ErrorMasks(BinaryMask FalseNegatives, PixelRect? FnBounds, BinaryMask FalsePositives, PixelRect? FpBounds)
    {
        public static ErrorMasks Compute(BinaryMask groundTruth, BinaryMask current, BinaryMask? ignore)
        {
            ArgumentNullException.ThrowIfNull(groundTruth);
            ArgumentNullException.ThrowIfNull(current);
            groundTruth.RequireSameSize(current);
            ignore?.RequireSameSize(groundTruth);
            int width = groundTruth.Width, height = groundTruth.Height;
            var fn = new BinaryMask(width, height);
            var fp = new BinaryMask(width, height);
            byte[] g = groundTruth.Data, c = current.Data, ig = ignore?.Data ?? [];
            var hasIgnore = ignore is not null;
            int fnX0 = int.MaxValue, fnY0 = int.MaxValue, fnX1 = -1, fnY1 = -1;
            int fpX0 = int.MaxValue, fpY0 = int.MaxValue, fpX1 = -1, fpY1 = -1;
            for (var y = 0; y < height; y++)
            {
                var row = y * width;
                for (var x = 0; x < width; x++)
                {
                    var i = row + x;
                    var inObject = g[i] != 0;
                    if (inObject == (c[i] != 0) || (hasIgnore && ig[i] != 0)) continue;
                    if (inObject)
                    {
                        fn.Data[i] = 1;
                        if (x < fnX0) fnX0 = x;
                        if (x > fnX1) fnX1 = x;
                        if (y < fnY0) fnY0 = y;
                        fnY1 = y;
                    }
                    else
                    {
                        fp.Data[i] = 1;
                        if (x < fpX0) fpX0 = x;
                        if (x > fpX1) fpX1 = x;
                        if (y < fpY0) fpY0 = y;
                        fpY1 = y;
                    }
                }
            }
            return new ErrorMasks(
                fn, fnX1 < 0 ? null : new PixelRect(fnX0, fnY0, fnX1 - fnX0 + 1, fnY1 - fnY0 + 1),
                fp, fpX1 < 0 ? null : new PixelRect(fpX0, fpY0, fpX1 - fpX0 + 1, fpY1 - fpY0 + 1));
        }
    }
}
