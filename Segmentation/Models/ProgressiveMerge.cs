using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Applies a model's new answer only where the new clicks ask for a change (the "progressive" merge of
/// interactive segmentation evaluations): for a foreground click, the connected part of (new and not old)
/// that contains the click is added to the old mask; for a background click, the connected part of
/// (old and not new) that contains it is removed. Everything else keeps the old mask. A reach per click
/// limits each change to a disc around its click (<see cref="LocalMerge"/>).
/// </summary>
public static class ProgressiveMerge
{
    /// <summary>The merge, with each click's change limited to a disc of radius <paramref name="reach"/>(click) (infinity: the whole connected change).</summary>
    public static BinaryMask Apply(BinaryMask previous, BinaryMask proposal, IEnumerable<Click> newClicks, Func<Click, double> reach)
    {
        previous.RequireSameSize(proposal);
        var result = previous.Clone();
        var added = proposal.AndNot(previous);
        var removed = previous.AndNot(proposal);
        int[]? addedLabels = null, removedLabels = null;
        var width = previous.Width;
        foreach (var click in newClicks)
        {
            var cx = click.PixelX;
            var cy = click.PixelY;
            if (!previous.Contains(cx, cy)) continue;
            var index = cy * width + cx;
            var changes = click.IsForeground ? added : removed;
            if (changes.Data[index] == 0) continue;
            var labels = click.IsForeground
                ? addedLabels ??= ConnectedComponents.Label(added).Labels
                : removedLabels ??= ConnectedComponents.Label(removed).Labels;
            var label = labels[index];
            var value = click.IsForeground ? (byte)1 : (byte)0;
            var radius = reach(click);
            // The scan never needs to leave the image, whatever the reach.
            var r = (int)Math.Min(Math.Ceiling(radius), Math.Max(width, previous.Height));
            var r2 = radius * radius;
            for (var y = Math.Max(0, cy - r); y <= Math.Min(previous.Height - 1, cy + r); y++)
            for (var x = Math.Max(0, cx - r); x <= Math.Min(width - 1, cx + r); x++)
            {
                var dx = x - cx;
                var dy = y - cy;
                var i = y * width + x;
                if (dx * dx + dy * dy <= r2 && labels[i] == label) result.Data[i] = value;
            }
        }
        return result;
    }
}
