namespace Segmentation.Models;

/// <summary>
/// Which answers an evaluation's judge (the ground truth) may choose among at each model call: a yardstick for rules
/// choosing among them (not a strict ceiling: a worse mask now can lead to a better one later). Only evaluation has a
/// judge; the product never does.
/// </summary>
public enum JudgedChoice
{
    /// <summary>The runner's own answer or the previous mask (with the new clicks' discs): a perfect "reject this answer".</summary>
    AcceptOrKeep,

    /// <summary>Also the other ways the runner asks the weights when an answer is in doubt, and each applied only near the new clicks.</summary>
    AnyAnswer,

    /// <summary>
    /// The judge scores every answer <see cref="AnyAnswer"/> would choose among, but the runner's own choice stands: the
    /// trajectory is the product's, and the scores are examples for training an <see cref="AnswerChooser"/>.
    /// </summary>
    Observe,
}
