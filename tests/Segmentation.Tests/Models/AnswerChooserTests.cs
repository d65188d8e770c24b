using Segmentation.Evaluation;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class AnswerChooserTests
{
    /// <summary>Answers whose gain over the runner's own is known from one feature: fewer contradicted clicks than the own answer gain 0.2, others lose 0.1.</summary>
    private static IReadOnlyList<AnswerExample> Examples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var features = Features(random.Next(0, 4), random.Next(0, 4), random.NextDouble());
            return new AnswerExample(features, features.Violations < features.OwnViolations ? 0.2 : -0.1);
        }).ToList();
    }

    private static AnswerFeatures Features(int violations, int ownViolations, double score) =>
        new() { Violations = violations, OwnViolations = ownViolations, Score = score, OwnScore = 0.5, Clicks = 3, NewClicks = 3 };

    [Fact]
    public void Features_go_to_a_vector_and_back_unchanged_and_a_wrong_length_is_refused()
    {
        var features = new AnswerFeatures
        {
            FrameKind = 2, Feedback = true, OneClickARun = true, NearTheClicks = true, PreviousMask = false, Score = 0.75, OwnScore = 0.5,
            PreviousScore = 0.875, IoUWithOwn = 0.25, IoUWithPrevious = 0.5, OwnIoUWithPrevious = 0.625, AreaToPrevious = 1.5, AreaToOwn = 2,
            PreviousAreaToImage = 0.125, Violations = 1, NewViolations = 1, OwnViolations = 2, Clicks = 6, NewClicks = 3, NewForeground = 2,
            HasBox = true, Trusted = true, GuardActed = true, Stability = 0.96875, Consensus = 0.4375, OwnStability = 0.5, OwnConsensus = 0.25,
        };

        Assert.Equal(AnswerFeatures.Names.Count, features.ToVector().Length);
        Assert.Equal(features, AnswerFeatures.FromVector(features.ToVector()));
        Assert.Throws<ArgumentException>(() => AnswerFeatures.FromVector(new float[AnswerFeatures.Names.Count - 1]));
    }

    [Fact]
    public void A_trained_chooser_estimates_the_gain_it_was_shown_and_survives_saving()
    {
        using var chooser = AnswerChooser.Train(Examples(400, 1), new AnswerChooserOptions { Trees = 50, MinExamplesPerLeaf = 5 });
        var better = Features(0, 2, 0.5);
        var worse = Features(2, 0, 0.5);

        Assert.InRange(chooser.EstimatedGain(better), 0.15, 0.25);
        Assert.InRange(chooser.EstimatedGain(worse), -0.15, -0.05);
        using var saved = new MemoryStream();
        chooser.Save(saved);
        saved.Position = 0;
        using var loaded = AnswerChooser.Load(saved);
        Assert.Equal(chooser.EstimatedGain(better), loaded.EstimatedGain(better), 6);
        Assert.Equal(chooser.MinGain, loaded.MinGain);
        Assert.Equal(400, loaded.TrainingExamples);
    }

    [Fact]
    public void A_stream_that_is_not_a_saved_chooser_is_refused_clearly()
    {
        Assert.Throws<InvalidDataException>(() => AnswerChooser.Load(new MemoryStream([1, 2, 3])));
        using var chooser = AnswerChooser.Train(Examples(100, 2), new AnswerChooserOptions { Trees = 5, MinExamplesPerLeaf = 5 });
        using var saved = new MemoryStream();
        chooser.Save(saved);
        var truncated = saved.ToArray()[..(int)(saved.Length / 2)];
        var error = Assert.Throws<InvalidDataException>(() => AnswerChooser.Load(new MemoryStream(truncated)));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Training_refuses_too_few_examples_and_gains_out_of_range()
    {
        Assert.Throws<ArgumentException>(() => AnswerChooser.Train(Examples(10, 3), new AnswerChooserOptions { MinExamplesPerLeaf = 20 }));
        var bad = Examples(100, 3).Append(new AnswerExample(Features(0, 0, 0.5), double.NaN)).ToList();
        Assert.Throws<ArgumentException>(() => AnswerChooser.Train(bad, new AnswerChooserOptions { MinExamplesPerLeaf = 5 }));
    }

    [Fact]
    public void A_log_of_judged_calls_reads_back_as_written_and_a_bad_line_is_named()
    {
        var own = new JudgedOption(JudgedPicks.OwnAnswer, Features(1, 1, 0.5), 0.8);
        var kept = new JudgedOption(JudgedPicks.PreviousMask, Features(2, 1, 0.875), 0.85);
        var instance = new InstanceResult("007", [0.5, 0.8], [0.4, 0.7], [0, 3], null, [])
        {
            JudgedOptions = [[], [own, kept]],
        };
        var text = new StringWriter();
        JudgedOptionsLog.Write(text, [instance]);

        var calls = JudgedOptionsLog.Read(new StringReader(text.ToString()), "log");
        var call = Assert.Single(calls);
        Assert.Equal(("007", 1), (call.Instance, call.Call));
        Assert.Equal([own, kept], call.Options);
        var example = Assert.Single(JudgedOptionsLog.Examples(calls));
        Assert.Equal(0.05, example.Gain, 9);

        var broken = text.ToString() + "{\"instance\":\"008\",\"call\":1,\"options\":[" + "{\"way\":\"previous mask\",\"value\":0.5,\"features\":[]}]}\n";
        var error = Assert.Throws<InvalidDataException>(() => JudgedOptionsLog.Read(new StringReader(broken), "answers.jsonl"));
        Assert.Contains("answers.jsonl line 2", error.Message);
    }

    [Fact]
    public void The_offline_check_counts_what_a_chooser_changed_against_the_truths_best()
    {
        using var chooser = AnswerChooser.Train(Examples(400, 4), new AnswerChooserOptions { Trees = 50, MinExamplesPerLeaf = 5 });
        JudgedCall Call(string id, double ownValue, params (int Violations, double Value)[] others) =>
            new(id, 1, [new JudgedOption(JudgedPicks.OwnAnswer, Features(2, 2, 0.5), ownValue), .. others.Select(o => new JudgedOption("other", Features(o.Violations, 2, 0.5), o.Value))]);
        // The chooser takes answers with fewer contradicted clicks: right in the first call, wrong in the second, untouched in the third.
        var calls = new[] { Call("a", 0.5, (0, 0.7)), Call("b", 0.6, (1, 0.4)), Call("c", 0.7, (3, 0.9)) };

        var outcome = AnswerChoiceCheck.Evaluate(chooser, calls);

        Assert.Equal(3, outcome.Calls);
        Assert.Equal(2, outcome.Changed);
        Assert.Equal(1, outcome.ChangedWorse);
        Assert.Equal((0.2 - 0.2) / 3, outcome.MeanGain, 9);
        Assert.Equal((0.2 + 0 + 0.2) / 3, outcome.MeanTruthGain, 9);
    }
}
