namespace Grains.Interfaces;

/// <summary>What an instance did when asked for the model's mask of a round.</summary>
[GenerateSerializer, Alias("ModelMaskOutcome")]
public enum ModelMaskOutcome
{
    /// <summary>The instance has the round's mask (made now, or already stored).</summary>
    Made = 0,

    /// <summary>The instance no longer waits for that mask (the round was accepted or skipped, or it is past it).</summary>
    NotNeeded = 1,

    /// <summary>
    /// The round's answer is not recorded yet (the instance still waits for an annotator in that round): the request came
    /// before the answer was written, or the answer's write failed. Ask again later.
    /// </summary>
    AnswerNotRecorded = 2,
}
