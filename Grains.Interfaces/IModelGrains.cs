using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>Which queue of the silo's model runner a call waits in.</summary>
[GenerateSerializer, Alias("InferenceLane")]
public enum InferenceLane
{
    /// <summary>Work nobody waits for on screen: round-0 masks, masks after a submission, warming.</summary>
    Background = 0,

    /// <summary>An annotator is waiting for the answer (live preview).</summary>
    Interactive = 1,

    /// <summary>
    /// Background work someone will wait for soon (warming a leased task, the mask after a submission): it shares
    /// the background slots but goes before bulk work such as round-0 masks.
    /// </summary>
    Soon = 2,
}

/// <summary>
/// What a model call is about: one instance on one image, the box, every committed click with its round, and the
/// round whose mask is wanted (0 = the box model's mask; r = box plus the clicks of rounds 1..r). Preview calls add
/// <see cref="TentativeClicks"/> for round <see cref="Round"/> that are not committed.
/// </summary>
[GenerateSerializer, Immutable, Alias("ModelQuestion")]
public sealed record ModelQuestion(
    [property: Id(0)] string InstanceKey,
    [property: Id(1)] string ModelName,
    [property: Id(2)] string ImageFile,
    [property: Id(3)] BoxD Box,
    [property: Id(4)] IReadOnlyList<ClickRecord> CommittedClicks,
    [property: Id(5)] int Round,
    [property: Id(6)] IReadOnlyList<SubmittedClick>? TentativeClicks,
    [property: Id(7)] InferenceLane Lane);

/// <summary>Milliseconds a model call spent, as measured on the silo.</summary>
[GenerateSerializer, Immutable, Alias("ModelTiming")]
public sealed record ModelTiming(
    [property: Id(0)] double EncoderMs,
    [property: Id(1)] double DecoderMs,
    [property: Id(2)] int DecoderRuns,
    [property: Id(3)] double QueueMs,
    [property: Id(4)] double TotalMs,
    [property: Id(5)] int ReplayedRounds);

[GenerateSerializer, Immutable, Alias("ModelAnswer")]
public sealed record ModelAnswer(
    [property: Id(0)] MaskRle Mask,
    [property: Id(1)] double? ModelScore,
    [property: Id(2)] ModelTiming Timing);

/// <summary>
/// Runs segmentation models on the silo it is called from. One model instance (ONNX sessions) per model name per
/// silo is shared by all activations; calls wait in a bounded queue per <see cref="InferenceLane"/> so the cores are
/// not oversubscribed. The decoded image and its embeddings are held by the image's <see cref="IImageGrain"/>.
/// </summary>
public interface IInferenceGrain : IGrainWithIntegerKey
{
    /// <summary>The mask for <paramref name="question"/>, on the image <paramref name="imageKey"/> (see <see cref="AnnotationKeys.Image"/>).</summary>
    Task<ModelAnswer> Predict(string imageKey, ModelQuestion question);

    /// <summary>Prepares what the next prediction for this instance will need (its earlier masks' state and the image region's embedding).</summary>
    Task Warm(string imageKey, ModelQuestion question);
}

/// <summary>
/// One image of a campaign (key <c>"{campaignId}/{imagePath}"</c>). While active it keeps the decoded pixels, the
/// model's embeddings and each instance's model state in the silo's memory, so every instance and click on the image
/// reuses them; it deactivates when idle and the memory is freed.
/// </summary>
public interface IImageGrain : IGrainWithStringKey
{
    Task<ModelAnswer> Predict(ModelQuestion question);

    /// <summary>Prepares the next prediction for an instance in the background; returns at once.</summary>
    [OneWay]
    Task Warm(ModelQuestion question);
}

/// <summary>
/// The background model work of one shard of a campaign (key <c>"{campaignId}/{shard}"</c>): instances waiting for
/// the mask of a round (round 0 after import, round r after a corrective submission). The list is durable; the
/// shard works through it with a bounded number of calls in flight and resumes after a restart.
/// </summary>
public interface IModelWorkGrain : IGrainWithStringKey
{
    /// <summary>Records that <paramref name="instanceId"/> needs the model's mask of <paramref name="round"/>. Idempotent.</summary>
    Task Request(string instanceId, int round);

    /// <summary>Makes sure pending work is being processed (after a restart).</summary>
    Task Resume();

    Task<ModelWorkSummary> GetSummary();
}

[GenerateSerializer, Immutable, Alias("ModelWorkSummary")]
public sealed record ModelWorkSummary(
    [property: Id(0)] int Pending,
    [property: Id(1)] int Completed,
    [property: Id(2)] int Failed,
    [property: Id(3)] IReadOnlyDictionary<int, int> CompletedByRound,
    [property: Id(4)] IReadOnlyList<string> RecentErrors);

/// <summary>Every campaign id (single grain, key 0; written only when a campaign is created).</summary>
public interface ICampaignDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string campaignId);

    Task<IReadOnlyList<string>> List();

    /// <summary>Wakes every campaign so unfinished background work resumes (called at silo start).</summary>
    Task ResumeAll();
}

[GenerateSerializer, Immutable, Alias("PreviewResult")]
public sealed record PreviewResult(
    [property: Id(0)] string InstanceKey,
    [property: Id(1)] int Round,
    [property: Id(2)] ModelAnswer Answer);
