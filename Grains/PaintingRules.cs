using Grains.Interfaces;

namespace Grains;

/// <summary>Which instances are painted as references, and what a painting answer must satisfy; pure, checked before anything changes.</summary>
public static class PaintingRules
{
    /// <summary>
    /// How many painters paint the instance from scratch: 0, 1 when a stable hash of its id falls below the campaign's
    /// reference fraction, 2 when a second hash also falls below the double-painting fraction.
    /// </summary>
    public static int PaintingsWanted(string instanceId, InstanceSpec spec)
    {
        if (!(spec.ReferenceFraction > 0) || !Below(instanceId + "#reference", spec.ReferenceFraction)) return 0;
        return spec.DoublePaintingFraction > 0 && Below(instanceId + "#double-painting", spec.DoublePaintingFraction) ? 2 : 1;
    }

    static bool Below(string text, double fraction) => ShardMap.StableHash(text) % 10000 < fraction * 10000;

    /// <summary>Whether pass <paramref name="pass"/> still waits for its painting.</summary>
    public static bool PassWanted(InstanceState state, string instanceId, InstanceSpec spec, int pass) =>
        pass >= 1 && pass <= PaintingsWanted(instanceId, spec) && !state.Paintings.Any(p => p.Pass == pass);

    /// <exception cref="AnnotationRejectedException">The first rule the painting task breaks (a pass not wanted, a painter who painted it).</exception>
    public static void ValidateTask(string key, InstanceState state, string instanceId, InstanceSpec spec, string painterId, int pass)
    {
        if (!AnnotationKeys.IsValidId(painterId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "annotatorId", $"'{painterId}' is not a valid id.");
        if (!PassWanted(state, instanceId, spec, pass))
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "pass", $"Instance {key} does not wait for painting pass {pass}.");
        if (state.Paintings.Any(p => p.PainterId == painterId))
            throw new AnnotationRejectedException(RejectionCodes.AlreadyPainted, "annotatorId",
                $"{painterId} painted instance {key} before; a second painting must come from someone else.");
        // A reference judges the annotators of its instance: none of them may paint it.
        if (state.Answers.Any(a => a.AnnotatorId == painterId) || state.LeasedTo == painterId)
            throw new AnnotationRejectedException(RejectionCodes.AlreadyPainted, "annotatorId",
                $"{painterId} annotated instance {key}; its reference must come from someone else.");
    }

    /// <exception cref="AnnotationRejectedException">The first rule the painting answer breaks, naming its field.</exception>
    public static void ValidateSubmission(string key, InstanceState state, string instanceId, InstanceSpec spec, PaintingSubmission submission)
    {
        ValidateTask(key, state, instanceId, spec, submission.PainterId, submission.Pass);
        if (!double.IsFinite(submission.SecondsSpent) || submission.SecondsSpent < 0 || submission.SecondsSpent > AnswerRules.MaxSecondsPerAnswer)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "secondsSpent",
                $"secondsSpent must be between 0 and {AnswerRules.MaxSecondsPerAnswer}, got {submission.SecondsSpent}.");
        if (submission.Mask is null)
        {
            if (submission.SkipReason is not { } reason || !SkipReasons.All.Contains(reason))
                throw new AnnotationRejectedException(RejectionCodes.Invalid, "reason",
                    $"A painting is a mask, or a skip with a reason of {string.Join(", ", SkipReasons.All)}.");
            return;
        }
        if (submission.SkipReason is not null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "reason", "A painted mask has no skip reason.");
        if (MaskRleConversions.Problem(submission.Mask, spec.ImageHeight, spec.ImageWidth) is { } problem)
            throw new AnnotationRejectedException(RejectionCodes.InvalidMask, "mask", problem);
        if (submission.Mask.ToKernel().Area() == 0)
            throw new AnnotationRejectedException(RejectionCodes.InvalidMask, "mask", "The painted mask is empty; paint the object, or skip it with a reason.");
    }
}
