using Grains.Interfaces;
using Segmentation.Masks;
using Segmentation.Quality;

namespace Grains;

[GenerateSerializer, Alias("QualificationAttemptState")]
public sealed class QualificationAttemptState
{
    /// <summary>The version of the test the attempt answers; null before the first attempt.</summary>
    [Id(0)] public int? TestVersion { get; set; }

    /// <summary>The feedback of each item answered in the attempt, in order (at most the test's items).</summary>
    [Id(1)] public List<QualificationFeedback> Answered { get; set; } = [];

    [Id(2)] public bool Finished { get; set; }

    [Id(3)] public QualificationResult? LastResult { get; set; }
}

/// <summary>
/// One annotator's attempts at one kind of qualification test. Items come in the test's order; each answer is scored at
/// once with the kernel's rules (<see cref="QualificationScoring"/>, <see cref="ClickScoring"/>). The qualification itself is
/// the annotator grain's: a pass grants it there, before this grain records the pass.
/// </summary>
public sealed class QualificationAttemptGrain(
    [PersistentState("qualification-attempt", StorageNames.Annotation)] IPersistentState<QualificationAttemptState> state)
    : Grain, IQualificationAttemptGrain
{
    QualificationAttemptState S => state.State;

    (string Kind, string AnnotatorId) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    IAnnotatorGrain Annotator => GrainFactory.GetGrain<IAnnotatorGrain>(Key.AnnotatorId);

    Task<bool> IsQualified() => Key.Kind == QualificationKinds.Painting ? Annotator.IsPaintingQualified() : Annotator.IsQualified();

    Task Grant() => Key.Kind == QualificationKinds.Painting ? Annotator.SetPaintingQualified(true) : Annotator.SetQualified(true);

    Task<QualificationTest?> Test() => GrainFactory.GetGrain<IQualificationTestGrain>(Key.Kind).Get();

    public async Task<QualificationStatus> GetStatus()
    {
        var test = await Test();
        var current = test is not null && S.TestVersion == test.Version && !S.Finished;
        var retryAt = S.LastResult is { Passed: false, RetryAt: { } at } && at > DateTimeOffset.UtcNow ? at : (DateTimeOffset?)null;
        return new QualificationStatus(Key.Kind, await IsQualified(), test?.InstanceKeys.Count ?? 0, current ? S.Answered.Count : null,
            current ? S.Answered.Count : 0, retryAt, S.LastResult);
    }

    public async Task<QualificationItemTask> Next()
    {
        var test = await Test()
            ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "kind", $"No {Key.Kind} qualification test is set yet; ask a manager.");
        if (await IsQualified())
            throw new AnnotationRejectedException(RejectionCodes.AlreadyQualified, "kind", $"You already hold the {Key.Kind} qualification.");
        if (S.TestVersion != test.Version || S.Finished)
        {
            if (S.LastResult is { Passed: true } && S.TestVersion == test.Version)
                throw new AnnotationRejectedException(RejectionCodes.NotQualified, "kind",
                    $"You passed this test, and a manager has withdrawn the {Key.Kind} qualification since; ask a manager.");
            if (S.LastResult is { Passed: false, RetryAt: { } at } && at > DateTimeOffset.UtcNow)
                throw new AnnotationRejectedException(RejectionCodes.RetryLater, "kind", $"You can take the {Key.Kind} test again at {at:yyyy-MM-dd HH:mm} UTC.");
            S.TestVersion = test.Version;
            S.Answered = [];
            S.Finished = false;
            await state.WriteOrDeactivateAsync(this);
        }
        return await ItemTask(test, S.Answered.Count);
    }

    async Task<QualificationItemTask> ItemTask(QualificationTest test, int item)
    {
        var key = test.InstanceKeys[item];
        var view = await GrainFactory.GetGrain<IInstanceGrain>(key).GetState();
        var spec = view.Spec ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "item", $"Item {item} of the test no longer exists; ask a manager.");
        var mask = Key.Kind == QualificationKinds.Corrective ? view.Masks.FirstOrDefault(m => m.Round == 0)?.Mask : null;
        return new QualificationItemTask(Key.Kind, item, test.InstanceKeys.Count, key, spec, mask);
    }

    public async Task<string?> ItemInstance(int item)
    {
        var test = await Test();
        if (test is null || S.TestVersion != test.Version || item < 0 || item >= test.InstanceKeys.Count) return null;
        return item <= S.Answered.Count ? test.InstanceKeys[item] : null;
    }

    async Task<QualificationTest> RequireItem(int item)
    {
        var test = await Test()
            ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "kind", $"No {Key.Kind} qualification test is set yet; ask a manager.");
        if (S.TestVersion != test.Version || S.Finished || item != S.Answered.Count)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, "item",
                S.TestVersion != test.Version || S.Finished ? "No attempt is under way: ask for the next item first." : $"The attempt is at item {S.Answered.Count}, not {item}.");
        return test;
    }

    public async Task<PreviewResult> Preview(int item, IReadOnlyList<SubmittedClick> clicks)
    {
        if (Key.Kind != QualificationKinds.Corrective)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "kind", "Only the corrective test has clicks to preview.");
        var test = await RequireItem(item);
        return await GrainFactory.GetGrain<IInstanceGrain>(test.InstanceKeys[item]).PreviewGold(clicks ?? []);
    }

    public async Task<QualificationFeedback> Submit(int item, QualificationAnswer answer)
    {
        if (answer is null) throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(answer), "The answer is missing.");
        var test = await Test();
        if (test is not null && S.TestVersion == test.Version && item >= 0 && item < S.Answered.Count)
        {
            // Repeated: the first feedback; a pass whose grant did not happen then is granted now.
            var earlier = S.Answered[item];
            if (earlier.Result is { Passed: true }) await Grant();
            return earlier;
        }
        test = await RequireItem(item);
        var key = test.InstanceKeys[item];
        var instance = GrainFactory.GetGrain<IInstanceGrain>(key);
        var view = await instance.GetState();
        var spec = view.Spec ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "item", $"Item {item} of the test no longer exists; ask a manager.");
        var reference = (await instance.GetReference()).Reference?.ToKernel().ToMask()
            ?? throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "item", $"Item {item} has lost its reference mask; ask a manager.");

        var feedback = Key.Kind == QualificationKinds.Corrective
            ? await ScoreClicks(item, test, spec, view, instance, reference, answer)
            : ScorePainting(item, test, spec, reference, answer);
        var answered = S.Answered.Append(feedback).ToList();
        QualificationResult? result = null;
        if (answered.Count == test.InstanceKeys.Count)
        {
            var outcome = QualificationScoring.Decide(answered.Select(Score).ToArray(), test.MinMeanIoU, test.MinRightPolarityShare);
            var now = DateTimeOffset.UtcNow;
            result = new QualificationResult(outcome.Passed, outcome.MeanIoU, outcome.RightPolarityShare, now, outcome.Passed ? null : now + test.RetryAfter);
            answered[^1] = feedback = feedback with { Result = result };
            // Granted before the pass is recorded: a failure in between leaves the item to be answered again.
            if (outcome.Passed) await Grant();
        }
        S.Answered = answered;
        if (result is not null)
        {
            S.Finished = true;
            S.LastResult = result;
        }
        await state.WriteOrDeactivateAsync(this);
        return feedback;
    }

    async Task<QualificationFeedback> ScoreClicks(int item, QualificationTest test, InstanceSpec spec, InstanceView view, IInstanceGrain instance,
        BinaryMask reference, QualificationAnswer answer)
    {
        var clicks = answer.Clicks ?? throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "Clicks are missing (send an empty list for none).");
        if (answer.Mask is not null) throw new AnnotationRejectedException(RejectionCodes.Invalid, "mask", "The corrective test takes clicks, not a mask.");
        AnswerRules.ValidateGoldSubmission(view.Key, spec, new Submission("qualification", Key.AnnotatorId, 1, clicks, false, answer.SecondsSpent));
        var shownRle = view.Masks.FirstOrDefault(m => m.Round == 0)?.Mask
            ?? throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "item", $"Item {item} has no model mask; ask a manager.");
        var shown = shownRle.ToKernel().ToMask();
        var final = clicks.Count == 0 ? shown : (await instance.PreviewGold(clicks)).Answer.Mask.ToKernel().ToMask();
        var kernelClicks = clicks.Select(c => c.ToKernel()).ToArray();
        var verdicts = ClickScoring.Score(reference, shown, kernelClicks);
        var judged = clicks.Select((c, i) => new JudgedClick(c.X, c.Y, c.Label, VerdictName(verdicts[i]))).ToArray();
        var suggested = QualificationScoring.SuggestedClicks(reference, shown, spec.MaxClicksPerRound)
            .Select(c => new SubmittedClick(c.X, c.Y, c.IsForeground ? ClickPolarity.Foreground : ClickPolarity.Background)).ToArray();
        return new QualificationFeedback(item, test.InstanceKeys.Count, MaskMetrics.IoU(final, reference), answer.SecondsSpent, judged, suggested, null);
    }

    static QualificationFeedback ScorePainting(int item, QualificationTest test, InstanceSpec spec, BinaryMask reference, QualificationAnswer answer)
    {
        var mask = answer.Mask ?? throw new AnnotationRejectedException(RejectionCodes.Invalid, "mask", "The painting test takes a painted mask.");
        if (answer.Clicks is { Count: > 0 }) throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "The painting test takes a mask, not clicks.");
        if (!double.IsFinite(answer.SecondsSpent) || answer.SecondsSpent < 0 || answer.SecondsSpent > AnswerRules.MaxSecondsPerAnswer)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "secondsSpent", $"Seconds spent {answer.SecondsSpent} is outside [0, {AnswerRules.MaxSecondsPerAnswer}].");
        if (MaskRleConversions.Problem(mask, spec.ImageHeight, spec.ImageWidth) is { } problem)
            throw new AnnotationRejectedException(RejectionCodes.InvalidMask, "mask", problem);
        var painted = mask.ToKernel().ToMask();
        if (painted.IsEmpty) throw new AnnotationRejectedException(RejectionCodes.InvalidMask, "mask", "The painted mask is empty; paint the object.");
        return new QualificationFeedback(item, test.InstanceKeys.Count, MaskMetrics.IoU(painted, reference), answer.SecondsSpent, [], [], null);
    }

    static QualificationItemScore Score(QualificationFeedback f) =>
        new(f.IoU, f.Clicks.Count(c => c.Verdict != VerdictName(ClickVerdict.Unjudged)), f.Clicks.Count(c => c.Verdict == VerdictName(ClickVerdict.Contradicts)));

    static string VerdictName(ClickVerdict verdict) => verdict switch
    {
        ClickVerdict.Corrects => "corrects",
        ClickVerdict.Redundant => "redundant",
        ClickVerdict.Contradicts => "contradicts",
        _ => "unjudged",
    };
}
