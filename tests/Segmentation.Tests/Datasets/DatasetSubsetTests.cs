using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;

namespace Segmentation.Tests.Datasets;

public class DatasetSubsetTests
{
    private static EvaluationInstance Instance(string id) =>
        new(id, id + ".png", id + ".mask.png", null, () => new InstanceTruth(new BinaryMask(1, 1)));

    [Fact]
    public void KeepsEveryNthInOrdinalIdOrderWhateverTheInputOrder()
    {
        var ids = Enumerable.Range(0, 11).Select(i => $"im{i:D2}").Append("Z").Append("a").ToList();
        var sorted = ids.Order(StringComparer.Ordinal).ToList(); // Z, a, im00 .. im10
        var expected = new[] { sorted[0], sorted[3], sorted[6], sorted[9], sorted[12] };

        for (var seed = 0; seed < 5; seed++)
        {
            var shuffled = ids.Select(Instance).ToArray();
            new Random(seed).Shuffle(shuffled);
            Assert.Equal(expected, DatasetSubset.EveryNth(shuffled, 3).Select(i => i.Id));
        }
        Assert.Equal(sorted, DatasetSubset.EveryNth(ids.Select(Instance).ToList(), 1).Select(i => i.Id));
        Assert.Equal(["Z"], DatasetSubset.EveryNth(ids.Select(Instance).ToList(), 100).Select(i => i.Id));
        Assert.Empty(DatasetSubset.EveryNth([], 2));
    }

    [Fact]
    public void OffsetsSplitTheDatasetIntoDisjointSubsetsThatCoverIt()
    {
        var ids = Enumerable.Range(0, 7).Select(i => $"im{i}").ToList();
        var instances = ids.Select(Instance).ToList();

        var first = DatasetSubset.EveryNth(instances, 2, 0).Select(i => i.Id).ToList();
        var second = DatasetSubset.EveryNth(instances, 2, 1).Select(i => i.Id).ToList();

        Assert.Equal(["im0", "im2", "im4", "im6"], first);
        Assert.Equal(["im1", "im3", "im5"], second);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSubset.EveryNth(instances, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSubset.EveryNth(instances, 2, -1));
    }

    [Fact]
    public void RejectsStepBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSubset.EveryNth([Instance("a")], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSubset.EveryNth([Instance("a")], -2));
    }
}
