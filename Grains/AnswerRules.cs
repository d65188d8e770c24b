using Grains.Interfaces;

namespace Grains;

/// <summary>What a preview or an answer must satisfy against its instance's state and spec; pure, checked before anything changes.</summary>
public static class AnswerRules
{
    public const double MaxSecondsPerAnswer = 24 * 3600;

    /// <exception cref="AnnotationRejectedException">The first rule the submission breaks, naming its field.</exception>
    public static void ValidateSubmission(string key, InstanceState state, InstanceSpec spec, Submission submission, DateTimeOffset now)
    {
        ValidateAnswer(key, state, spec, submission.AnnotatorId, submission.Round, submission.Clicks, submission.Skip, submission.SecondsSpent, now);
        if (submission.SkipReason is { } reason && (!submission.Skip || !SkipReasons.All.Contains(reason)))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "reason",
                $"A skip's reason is one of {string.Join(", ", SkipReasons.All)}; answers that are not skips have none.");
        if (submission.Trajectory is { } trajectory && (trajectory.Samples.Length % 3 != 0 || trajectory.Count > MouseTrajectory.MaxPoints))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "trajectory",
                $"A trajectory is (ms, x, y) triples, at most {MouseTrajectory.MaxPoints}.");
    }

    /// <exception cref="AnnotationRejectedException">The first rule the answer (or preview, with no skip and no time) breaks.</exception>
    public static void ValidateAnswer(string key, InstanceState state, InstanceSpec spec, string annotatorId, int round,
        IReadOnlyList<SubmittedClick>? clicks, bool skip, double secondsSpent, DateTimeOffset now)
    {
        if (!AnnotationKeys.IsValidId(annotatorId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "annotatorId", $"'{annotatorId}' is not a valid id.");
        if (state.Status is InstanceStatus.Done or InstanceStatus.Skipped)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status", $"Instance {key} is already {state.Status}.");
        if (round != state.CurrentRound)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, "round",
                $"Instance {key} is in round {state.CurrentRound}, not {round}.");
        if (state.Status == InstanceStatus.WaitingForModel)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status",
                $"Instance {key} is waiting for the model's mask of round {state.CurrentRound}.");
        if (!state.HoldsLease(annotatorId, now))
            throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {annotatorId} does not hold the lease of instance {key}.");
        ValidateClicks(spec, clicks, skip, secondsSpent);
    }

    /// <summary>
    /// What a gold answer must satisfy: it answers round 1 (as a gold task shows it) and its clicks, skip and time follow
    /// the rules of any answer. The lease is the annotator grain's to check.
    /// </summary>
    /// <exception cref="AnnotationRejectedException">The first rule the submission breaks, naming its field.</exception>
    public static void ValidateGoldSubmission(string key, InstanceSpec spec, Submission submission)
    {
        if (submission.Round != 1)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, "round", $"Instance {key} is in round 1, not {submission.Round}.");
        ValidateClicks(spec, submission.Clicks, submission.Skip, submission.SecondsSpent);
        if (submission.SkipReason is { } reason && (!submission.Skip || !SkipReasons.All.Contains(reason)))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "reason",
                $"A skip's reason is one of {string.Join(", ", SkipReasons.All)}; answers that are not skips have none.");
    }

    static void ValidateClicks(InstanceSpec spec, IReadOnlyList<SubmittedClick>? clicks, bool skip, double secondsSpent)
    {
        if (clicks is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "Clicks are missing (send an empty list for none).");
        if (clicks.Count > spec.MaxClicksPerRound)
            throw new AnnotationRejectedException(RejectionCodes.TooManyClicks, "clicks",
                $"{clicks.Count} clicks; at most {spec.MaxClicksPerRound} per round.");
        if (skip && clicks.Count > 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "A skip carries no clicks.");
        if (!double.IsFinite(secondsSpent) || secondsSpent < 0 || secondsSpent > MaxSecondsPerAnswer)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "secondsSpent",
                $"Seconds spent {secondsSpent} is outside [0, {MaxSecondsPerAnswer}].");
        for (var i = 0; i < clicks.Count; i++)
        {
            var c = clicks[i];
            if (c is null)
                throw new AnnotationRejectedException(RejectionCodes.Invalid, $"clicks[{i}]", "Click is missing.");
            if (!Enum.IsDefined(c.Label))
                throw new AnnotationRejectedException(RejectionCodes.Invalid, $"clicks[{i}].label", $"Unknown click label {c.Label}.");
            if (!(c.X >= 0 && c.X < spec.ImageWidth && c.Y >= 0 && c.Y < spec.ImageHeight))
                throw new AnnotationRejectedException(RejectionCodes.ClickOutsideImage, $"clicks[{i}]",
                    $"Click ({c.X}, {c.Y}) is outside the {spec.ImageWidth}x{spec.ImageHeight} image.");
        }
    }
}
