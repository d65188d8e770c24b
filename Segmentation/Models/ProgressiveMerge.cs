using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Applies a model's new answer only where the new clicks ask for a change (the "progressive" merge of
/// interactive segmentation evaluations): for a foreground click, the connected part of (new and not old)
/// that contains the click is added to the old mask; for a background click, the connected part of
/// (old and not new) that contains it is removed. Everything else keeps the old mask.
/// </summary>
public static class ProgressiveMerge
{
    public static BinaryMask Apply(BinaryMask previous, BinaryMask proposal, IEnumerable<Click> newClicks)
    {
        previous.RequireSameSize(proposal);
        var result = previous.Clone();
        var added = proposal.AndNot(previous);
        var removed = previous.AndNot(proposal);
        int[]? addedLabels = null, removedLabels = null;
        var width = previous.Width;
        foreach (var click in newClicks)
        {
            if (!previous.Contains(click.PixelX, click.PixelY)) continue;
            var index = click.PixelY * width + click.PixelX;
            var changes = click.IsForeground ? added : removed;
            if (changes.Data[index] == 0) continue;
            var labels = click.IsForeground
                ? addedLabels ??= ConnectedComponents.Label(added).Labels
                : removedLabels ??= ConnectedComponents.Label(removed).Labels;
            var label = labels[index];
            var value = click.IsForeground ? (byte)1 : (byte)0;
            for (var i = 0; i < labels.Length; i++)
                if (labels[i] == label) result.Data[i] = value;
        }
        return result;
    }
}
