namespace Segmentation.Models;

/// <summary>
/// What the runner can see of one answer a model call could give, without the truth: how it was asked, the model's
/// scores, its overlap with the runner's own answer and with the previous mask, and the clicks it contradicts. An
/// <see cref="AnswerChooser"/> reads these to estimate whether the answer is better than the runner's own.
/// </summary>
public sealed record AnswerFeatures
{
    /// <summary>0: the call's frame; 1: the previous call's frame; 2: the whole image; 3: no frame (the previous mask).</summary>
    public int FrameKind { get; init; }
    public bool Feedback { get; init; }
    public bool OneClickARun { get; init; }
    public bool NearTheClicks { get; init; }
    public bool PreviousMask { get; init; }
    public double Score { get; init; }
    public double OwnScore { get; init; }
    public double PreviousScore { get; init; }
    public double IoUWithOwn { get; init; }
    public double IoUWithPrevious { get; init; }
    public double OwnIoUWithPrevious { get; init; }
    public double AreaToPrevious { get; init; }
    public double AreaToOwn { get; init; }
    public double PreviousAreaToImage { get; init; }
    public int Violations { get; init; }
    public int NewViolations { get; init; }
    public int OwnViolations { get; init; }
    public int Clicks { get; init; }
    public int NewClicks { get; init; }
    public int NewForeground { get; init; }
    public bool HasBox { get; init; }
    public bool Trusted { get; init; }
    public bool GuardActed { get; init; }

    /// <summary>The model's confidence in its logits: the area above +1 over the area above -1 (SAM's stability score); -1 for the previous mask.</summary>
    public double Stability { get; init; }

    /// <summary>The mean IoU of the answer with the call's other answers as the model gave them, the previous mask included.</summary>
    public double Consensus { get; init; }

    public double OwnStability { get; init; }
    public double OwnConsensus { get; init; }

    public static IReadOnlyList<string> Names { get; } =
    [
        "frame_kind", "feedback", "one_click_a_run", "near_the_clicks", "previous_mask", "score", "own_score", "previous_score",
        "iou_with_own", "iou_with_previous", "own_iou_with_previous", "area_to_previous", "area_to_own", "previous_area_to_image",
        "violations", "new_violations", "own_violations", "clicks", "new_clicks", "new_foreground", "has_box", "trusted", "guard_acted", "stability", "consensus", "own_stability", "own_consensus",
        // Differences with the runner's own answer, which a tree cannot form from two features in one split.
        "score_over_own", "stability_over_own", "consensus_over_own", "violations_over_own",
    ];

    public float[] ToVector() =>
    [
        FrameKind, B(Feedback), B(OneClickARun), B(NearTheClicks), B(PreviousMask), (float)Score, (float)OwnScore, (float)PreviousScore,
        (float)IoUWithOwn, (float)IoUWithPrevious, (float)OwnIoUWithPrevious, (float)AreaToPrevious, (float)AreaToOwn, (float)PreviousAreaToImage,
        Violations, NewViolations, OwnViolations, Clicks, NewClicks, NewForeground, B(HasBox), B(Trusted), B(GuardActed),
        (float)Stability, (float)Consensus, (float)OwnStability, (float)OwnConsensus,
        // From the stored floats, so features read back from a log give the same differences as live ones.
        (float)Score - (float)OwnScore, (float)Stability - (float)OwnStability, (float)Consensus - (float)OwnConsensus, Violations - OwnViolations,
    ];

    /// <summary>The inverse of <see cref="ToVector"/>, for features read back from a log (the differences are derived again).</summary>
    public static AnswerFeatures FromVector(IReadOnlyList<float> v)
    {
        if (v.Count != Names.Count) throw new ArgumentException($"An answer's features are {Names.Count} numbers, got {v.Count}.", nameof(v));
        return new AnswerFeatures
        {
            FrameKind = (int)v[0], Feedback = v[1] != 0, OneClickARun = v[2] != 0, NearTheClicks = v[3] != 0, PreviousMask = v[4] != 0,
            Score = v[5], OwnScore = v[6], PreviousScore = v[7], IoUWithOwn = v[8], IoUWithPrevious = v[9], OwnIoUWithPrevious = v[10],
            AreaToPrevious = v[11], AreaToOwn = v[12], PreviousAreaToImage = v[13], Violations = (int)v[14], NewViolations = (int)v[15],
            OwnViolations = (int)v[16], Clicks = (int)v[17], NewClicks = (int)v[18], NewForeground = (int)v[19], HasBox = v[20] != 0,
            Trusted = v[21] != 0, GuardActed = v[22] != 0, Stability = v[23], Consensus = v[24],
            OwnStability = v[25], OwnConsensus = v[26],
        };
    }

    private static float B(bool b) => b ? 1f : 0f;
}
