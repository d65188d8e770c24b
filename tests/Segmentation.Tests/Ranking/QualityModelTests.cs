using Segmentation.Ranking;

namespace Segmentation.Tests.Ranking;

public sealed class QualityModelTests
{
    /// <summary>Synthetic rounds whose true IoU follows the mask change and the mean click distance, plus noise.</summary>
    static List<QualityExample> Examples(int count, int seed)
    {
        var rng = new Random(seed);
        var list = new List<QualityExample>();
        for (var i = 0; i < count; i++)
        {
            var change = rng.NextDouble();
            var meanDistance = rng.NextDouble() * 40;
            var features = new QualityFeatures(rng.Next(0, 5), rng.Next(1, 4), change, meanDistance * (1 + rng.NextDouble()), meanDistance);
            var iou = Math.Clamp(0.45 + 0.45 * change - 0.006 * meanDistance + (rng.NextDouble() - 0.5) * 0.05, 0, 1);
            list.Add(new QualityExample(features, iou));
        }
        return list;
    }

    static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        static double[] Ranks(IReadOnlyList<double> v) =>
            v.Select((x, i) => (x, i)).OrderBy(p => p.x).Select((p, r) => (p.i, r)).OrderBy(p => p.i).Select(p => (double)p.r).ToArray();
        var ra = Ranks(a);
        var rb = Ranks(b);
        var ma = ra.Average();
        var mb = rb.Average();
        var cov = ra.Zip(rb).Sum(p => (p.First - ma) * (p.Second - mb));
        return cov / Math.Sqrt(ra.Sum(x => (x - ma) * (x - ma)) * rb.Sum(x => (x - mb) * (x - mb)));
    }

    [Fact]
    public void The_forest_ranks_held_out_rounds_and_names_the_informative_features()
    {
        using var model = QualityModel.Train(Examples(300, 1), version: 1);
        var test = Examples(200, 2);
        var predicted = test.Select(e => model.Predict(e.Features)).ToArray();

        Assert.True(Spearman(predicted, test.Select(e => e.TrueIoU).ToArray()) > 0.8);
        Assert.All(predicted, p => Assert.InRange(p, 0, 1));
        Assert.Equal(1, model.Importances.Sum(i => i.Share), 6);
        var top2 = model.Importances.OrderByDescending(i => i.Share).Take(2).Select(i => i.Feature).Order().ToArray();
        Assert.Equal(new[] { "mask_change_iou", "mean_click_distance" }.Order(), top2);
    }

    [Fact]
    public void A_saved_model_loads_with_its_version_and_gives_the_same_predictions()
    {
        using var model = QualityModel.Train(Examples(120, 3), version: 7);
        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        using var loaded = QualityModel.Load(buffer);

        Assert.Equal(7, loaded.Version);
        Assert.Equal(120, loaded.TrainingExamples);
        Assert.Equal(model.Importances, loaded.Importances);
        foreach (var e in Examples(50, 4))
            Assert.Equal(model.Predict(e.Features), loaded.Predict(e.Features), 9);
    }

    /// <summary>Rounds whose true IoU the paper's signals barely tell, but a noisy model score does.</summary>
    static List<QualityExample> ScoredExamples(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var iou = 0.5 + 0.5 * rng.NextDouble();
            var features = new QualityFeatures(rng.Next(0, 5), rng.Next(1, 4), rng.NextDouble(), rng.NextDouble() * 40, rng.NextDouble() * 20)
            {
                ModelScore = Math.Clamp(iou + (rng.NextDouble() - 0.5) * 0.1, 0, 1),
            };
            return new QualityExample(features, iou);
        }).ToList();
    }

    [Fact]
    public void With_the_model_score_the_forest_reads_it_and_names_it_and_keeps_it_after_loading()
    {
        var options = new QualityModelOptions { FeatureSet = QualityFeatureSet.PaperAndModelScore };
        using var model = QualityModel.Train(ScoredExamples(200, 1), version: 3, options);
        using var paperOnly = QualityModel.Train(ScoredExamples(200, 1), version: 3);
        var test = ScoredExamples(150, 2);
        var truth = test.Select(e => e.TrueIoU).ToArray();

        Assert.Equal(QualityFeatureSet.PaperAndModelScore, model.FeatureSet);
        Assert.Equal("model_score", model.Importances.MaxBy(i => i.Share)!.Feature);
        Assert.True(Spearman(test.Select(e => model.Predict(e.Features)).ToArray(), truth) > 0.8);
        Assert.True(Spearman(test.Select(e => paperOnly.Predict(e.Features)).ToArray(), truth) < 0.3);

        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        using var loaded = QualityModel.Load(buffer);
        Assert.Equal(QualityFeatureSet.PaperAndModelScore, loaded.FeatureSet);
        foreach (var e in test.Take(20))
            Assert.Equal(model.Predict(e.Features), loaded.Predict(e.Features), 9);
    }

    [Fact]
    public void A_model_saved_before_feature_sets_loads_as_a_paper_model()
    {
        using var model = QualityModel.Train(Examples(120, 3), version: 4);
        using var saved = new MemoryStream();
        model.Save(saved);
        // The first format had no feature-set field after the format number.
        var bytes = saved.ToArray();
        var formatAt = 1 + "ANNOTATION-MR".Length;
        Assert.Equal(2, BitConverter.ToInt32(bytes, formatAt));
        var old = bytes[..formatAt].Concat(BitConverter.GetBytes(1)).Concat(bytes[(formatAt + 8)..]).ToArray();

        using var loaded = QualityModel.Load(new MemoryStream(old));

        Assert.Equal(QualityFeatureSet.Paper, loaded.FeatureSet);
        Assert.Equal(4, loaded.Version);
        foreach (var e in Examples(20, 4))
            Assert.Equal(model.Predict(e.Features), loaded.Predict(e.Features), 9);
    }

    [Fact]
    public void Scoring_from_many_threads_at_once_matches_scoring_alone()
    {
        using var model = QualityModel.Train(Examples(120, 5), version: 1);
        var inputs = Examples(400, 6).Select(e => e.Features).ToArray();
        var alone = inputs.Select(model.Predict).ToArray();
        var parallel = new double[inputs.Length];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = model.Predict(inputs[i]));
        Assert.Equal(alone, parallel);
    }

    [Fact]
    public void Bad_input_is_refused_clearly()
    {
        Assert.Throws<ArgumentException>(() => QualityModel.Train(Examples(3, 1), version: 1));
        var bad = Examples(20, 1);
        bad[0] = bad[0] with { TrueIoU = 1.5 };
        Assert.Throws<ArgumentException>(() => QualityModel.Train(bad, version: 1));
        Assert.Throws<InvalidDataException>(() => QualityModel.Load(new MemoryStream([1, 2, 3])));
    }
}
