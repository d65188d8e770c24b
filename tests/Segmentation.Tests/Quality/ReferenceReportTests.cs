using Segmentation.Quality;

namespace Segmentation.Tests.Quality;

public sealed class ReferenceReportTests
{
    [Fact]
    public void An_instance_counts_with_its_latest_mask_in_every_later_round_and_classes_are_reported_apart()
    {
        ReferenceScore[] scores =
        [
            new("a", "cat", 0, 0.6, 0.4), new("a", "cat", 1, 0.8, 0.6), // corrected in round 1, then accepted
            new("b", "cat", 0, 0.9, 0.9),                                // accepted in round 1
            new("c", "dog", 0, 0.5, 0.2), new("c", "dog", 2, 0.7, 0.5),
        ];

        var all = ReferenceReport.ByRound(scores, 2);

        Assert.Equal([0, 1, 2], all.Select(r => r.Round));
        Assert.All(all, r => Assert.Equal(3, r.Instances));
        Assert.Equal([(0.6 + 0.9 + 0.5) / 3, (0.8 + 0.9 + 0.5) / 3, (0.8 + 0.9 + 0.7) / 3], all.Select(r => Math.Round(r.MeanIoU, 12)).ToArray(),
            (x, y) => Math.Abs(x - y) < 1e-9);
        var classes = ReferenceReport.ByClass(scores, 2);
        Assert.Equal(["cat", "dog"], classes.Select(c => c.ClassName));
        Assert.Equal((2, 0.85), (classes[0].Instances, Math.Round(classes[0].Rounds[2].MeanIoU, 9)));
        Assert.Empty(ReferenceReport.ByRound([], 3));
    }

    [Fact]
    public void An_instance_whose_first_mask_came_later_is_counted_from_then_on()
    {
        var rounds = ReferenceReport.ByRound([new("a", "x", 1, 0.5, 0.5), new("b", "x", 0, 1, 1)], 1);
        Assert.Equal([(0, 1), (1, 2)], rounds.Select(r => (r.Round, r.Instances)));
    }
}
