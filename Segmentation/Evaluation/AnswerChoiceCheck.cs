using Segmentation.Models;

namespace Segmentation.Evaluation;

/// <summary>An offline check of an <see cref="AnswerChooser"/> on judged calls of objects it was not trained on.</summary>
public static class AnswerChoiceCheck
{
    /// <summary>Per call, the pick with the largest estimated gain above the chooser's minimum, against the truth's best pick.</summary>
    public static AnswerChoiceOutcome Evaluate(AnswerChooser chooser, IReadOnlyList<JudgedCall> calls)
    {
        ArgumentNullException.ThrowIfNull(chooser);
        int changed = 0, worse = 0;
        double gain = 0, truth = 0;
        foreach (var call in calls)
        {
            var own = call.Options[0].Value;
            var (bestEstimate, pick) = (chooser.MinGain, call.Options[0]);
            foreach (var option in call.Options.Skip(1))
            {
                var estimate = chooser.EstimatedGain(option.Features);
                if (estimate > bestEstimate) (bestEstimate, pick) = (estimate, option);
            }
            if (!ReferenceEquals(pick, call.Options[0]))
            {
                changed++;
                if (pick.Value < own) worse++;
            }
            gain += pick.Value - own;
            truth += Math.Max(0, call.Options.Max(o => o.Value) - own);
        }
        var n = Math.Max(1, calls.Count);
        return new AnswerChoiceOutcome(calls.Count, changed, worse, gain / n, truth / n);
    }

    /// <summary>
    /// K folds by instance (instances in ordinal order of their ids, fold = position mod K): each fold's calls are judged by
    /// a chooser trained on the other folds.
    /// </summary>
    public static IReadOnlyList<AnswerChoiceOutcome> CrossValidate(IReadOnlyList<JudgedCall> calls, int folds, AnswerChooserOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var ids = calls.Select(c => c.Instance).Distinct().Order(StringComparer.Ordinal).ToList();
        var foldOf = ids.Select((id, i) => (id, i % folds)).ToDictionary(p => p.id, p => p.Item2, StringComparer.Ordinal);
        var outcomes = new List<AnswerChoiceOutcome>();
        for (var k = 0; k < folds; k++)
        {
            var held = calls.Where(c => foldOf[c.Instance] == k).ToList();
            var training = calls.Where(c => foldOf[c.Instance] != k).ToList();
            using var chooser = AnswerChooser.Train(JudgedOptionsLog.Examples(training), options);
            outcomes.Add(Evaluate(chooser, held));
        }
        return outcomes;
    }
}
