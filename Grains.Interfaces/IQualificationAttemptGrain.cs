namespace Grains.Interfaces;

/// <summary>
/// One annotator's attempts at one kind of qualification test (key <c>"{kind}/{annotatorId}"</c>): the items in order,
/// each scored as it is answered; passing gives the annotator the qualification, failing sets when they may try again.
/// </summary>
public interface IQualificationAttemptGrain : IGrainWithStringKey
{
    Task<QualificationStatus> GetStatus();

    /// <summary>
    /// The current item, starting an attempt when none is under way. Throws <see cref="RejectionCodes.NotInitialized"/>
    /// without a test, <see cref="RejectionCodes.AlreadyQualified"/> and <see cref="RejectionCodes.RetryLater"/>.
    /// </summary>
    Task<QualificationItemTask> Next();

    /// <summary>The instance of item <paramref name="item"/> when the attempt has reached it (its image may be shown), else null.</summary>
    Task<string?> ItemInstance(int item);

    /// <summary>The model's mask for <paramref name="clicks"/> on the current corrective item; nothing is stored.</summary>
    Task<PreviewResult> Preview(int item, IReadOnlyList<SubmittedClick> clicks);

    /// <summary>Scores the answer to the current item; a repeated answer to an item gets its first feedback.</summary>
    Task<QualificationFeedback> Submit(int item, QualificationAnswer answer);
}
