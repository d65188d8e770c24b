namespace Segmentation.Models;

/// <summary>
/// Which answers an evaluation's judge (the ground truth) may choose among, to bound what any rule choosing among them
/// could reach. Only evaluation has a judge; the product never does.
/// </summary>
public enum JudgedChoice
{
    /// <summary>The runner's own answer or the previous mask unchanged: a perfect "reject this answer".</summary>
    AcceptOrKeep,

    /// <summary>Also every other way the runner can ask the weights, and each of those applied only near the new clicks.</summary>
    AnyAnswer,
}
