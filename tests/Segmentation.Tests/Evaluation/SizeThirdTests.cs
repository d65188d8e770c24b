using Segmentation.Evaluation;
using Segmentation.Models;

namespace Segmentation.Tests.Evaluation;

public sealed class SizeThirdTests
{
    private static InstanceResult Result(string id, double area, params double[] iou) =>
        new(id, iou, iou, iou.Select(_ => 1).ToArray(), null, Array.Empty<ModelCallTiming>()) { ObjectAreaFraction = area };

    [Fact]
    public void Instances_split_into_thirds_by_relative_area_with_their_own_figures()
    {
        InstanceResult[] results =
        [
            Result("big", 0.30, 0.5, 0.95, 0.96),
            Result("tiny", 0.01, 0.2, 0.3, 0.4),
            Result("mid", 0.10, 0.9, 0.8, 0.92),
            Result("small", 0.02, 0.6, 0.91, 0.95),
            Result("large", 0.20, 0.7, 0.92, 0.94),
            Result("medium", 0.08, 0.5, 0.6, 0.7),
            Result("huge", 0.50, 0.95, 0.96, 0.97),
        ];
        var thirds = SizeThird.Split(results, new ProtocolSettings { Kind = ProtocolKind.Noc, MaxNocClicks = 3 });

        Assert.Equal(["small", "medium", "large"], thirds.Select(t => t.Name));
        Assert.Equal([2, 2, 3], thirds.Select(t => t.Instances));
        Assert.Equal(0.01, thirds[0].MinAreaFraction);
        Assert.Equal(0.02, thirds[0].MaxAreaFraction);
        Assert.Equal((0.4 + 0.95) / 2, thirds[0].MeanIoUPerStep[2], 9);
        // tiny never reaches 0.90 (the limit, 3, counts), small reaches it at its second click.
        Assert.Equal(2.5, thirds[0].Noc90);
        Assert.Equal(1, thirds[0].Nof90);
        // mid drops from 0.9 to 0.8: more than 5 points.
        Assert.Equal(1, thirds[1].LosingOver5Points);
        Assert.Equal(0, thirds[2].LosingOver5Points);
    }

    [Fact]
    public void The_largest_step_loss_is_the_worst_drop_between_neighbouring_steps()
    {
        Assert.Equal(0.3, Result("a", 0.1, 0.9, 0.6, 0.8, 0.7).LargestStepLoss(), 9);
        Assert.Equal(0, Result("b", 0.1, 0.5, 0.6, 0.7).LargestStepLoss());
    }
}
