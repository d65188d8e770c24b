using Segmentation.Campaigns;
using Segmentation.Quality;

namespace Grains.Store;

/// <summary>
/// The rows of a campaign that grow with it: instances, queue entries and answers. Each kind of row has one writing
/// grain (named on each method), so the store needs no locking of its own; every method is one transaction.
/// </summary>
public interface ICampaignStore
{
    /// <summary>
    /// Campaign grain, during an import: inserts the instances that are not stored yet and adds their number to the
    /// campaign's imported count, in one transaction. Instances already stored are returned as they are, unchanged.
    /// </summary>
    Task<InstanceInsertResult> InsertInstances(string campaignId, IReadOnlyList<NewInstance> instances, CancellationToken cancellation = default);

    Task<StoredInstance?> ReadInstance(string campaignId, string instanceId);

    /// <summary>Instance grain: replaces its state when the stored version is <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="StoreConflictException">The stored version differs (another activation wrote it) or the row is missing.</exception>
    Task<long> WriteInstance(string campaignId, string instanceId, InstanceStateRow row, long expectedVersion);

    Task<IReadOnlyList<StoredInstance>> ReadInstances(string campaignId, IReadOnlyList<string> instanceIds);

    /// <summary>
    /// Writes many instances' states in one transaction, each only when its stored version is the expected one (an instance
    /// whose grain wrote in between keeps its own state). Returns the ids that were written.
    /// </summary>
    Task<IReadOnlySet<string>> WriteInstances(string campaignId, IReadOnlyList<(string InstanceId, InstanceStateRow Row, long ExpectedVersion)> writes);

    /// <summary>Instance ids of one shard in import order after <paramref name="afterSeq"/> (the model work's round-0 cursor).</summary>
    Task<IReadOnlyList<InstanceSequence>> InstancesAfter(string campaignId, int shard, long afterSeq, int take);

    /// <summary>Instances grouped by image (image path, then import order) after <paramref name="after"/>, optionally of one status.</summary>
    Task<IReadOnlyList<StoredInstance>> InstancePage(string campaignId, InstancePageCursor? after, int take, int? status);

    Task<long> ImportedCount(string campaignId);

    Task<QueueCounts?> ReadQueueCounts(QueueShard shard);

    /// <summary>Entries of <paramref name="state"/> in serving order, after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<QueueEntry>> ReadQueueEntries(QueueShard shard, QueueEntryState state, QueueEntry? after, int take);

    Task<QueueEntry?> ReadQueueEntry(QueueShard shard, string instanceId);

    /// <summary>Which of <paramref name="instanceIds"/> have an entry in the shard (in any state).</summary>
    Task<IReadOnlySet<string>> ExistingQueueEntries(QueueShard shard, IReadOnlyList<string> instanceIds);

    /// <summary>Work-queue grain: writes changed entries and the shard's new counts in one transaction.</summary>
    Task WriteQueue(QueueShard shard, IReadOnlyList<QueueEntry> changed, QueueCounts counts);

    /// <summary>
    /// Annotator grain: records an answer, adds it to the annotator's campaign totals and adds <paramref name="counters"/>
    /// to the campaign's answer counters, in one transaction. False (and nothing added) when it was recorded before.
    /// </summary>
    Task<bool> RecordAnswer(AnswerRow answer, IReadOnlyList<AnswerCounter> counters);

    /// <summary>
    /// Instance grain: the IoU with the reference that a corrective round added, given by <paramref name="annotatorId"/>
    /// with <paramref name="clicks"/> clicks, added to their quality counts once per instance and round. False when it
    /// was recorded before.
    /// </summary>
    Task<bool> RecordGain(string campaignId, string instanceId, int round, string annotatorId, double gain, int clicks);

    /// <summary>Instance grain: the IoU gain M_r predicts for a corrective round of <paramref name="annotatorId"/>, once per instance and round.</summary>
    Task RecordPredictedGain(string campaignId, string instanceId, int round, string annotatorId, double gain, int clicks);

    /// <summary>Per annotator with predicted gains in the campaign: rounds, summed gain and clicks.</summary>
    Task<IReadOnlyList<(string AnnotatorId, long Rounds, double GainSum, long Clicks)>> PredictedGains(string campaignId);

    /// <summary>Instance grain, when its painted reference arrives: adds it to the campaign's gold instances (once).</summary>
    Task AddGold(string campaignId, string instanceId, long addedAtTicks);

    /// <summary>The campaign's first gold instance after <paramref name="after"/> (from the start when null), or null.</summary>
    Task<GoldPosition?> NextGold(string campaignId, GoldPosition? after);

    /// <summary>
    /// Annotator grain: records a gold answer and adds its judged clicks to the annotator's quality counts, in one
    /// transaction. False (and nothing added) when the submission was recorded before.
    /// </summary>
    Task<bool> RecordGoldAnswer(GoldAnswerRow answer);

    Task<GoldAnswerRow?> GoldAnswer(string campaignId, string submissionId);

    /// <summary>Per annotator with gold answers in the campaign, their sums, by id.</summary>
    Task<IReadOnlyList<AnnotatorGoldRow>> AnnotatorGold(string campaignId);

    /// <summary>Instance grain: its masks scored against its reference, one row per round (a round scored before keeps its row).</summary>
    Task RecordReferenceScores(string campaignId, IReadOnlyList<ReferenceScore> scores);

    /// <summary>Instance grain, when its second painting arrives: the two paintings against each other (once).</summary>
    Task RecordPaintingAgreement(string campaignId, string instanceId, string className, double iou, double boundaryF);

    Task<IReadOnlyList<ReferenceScore>> ReferenceScores(string campaignId);

    /// <summary>The human agreement rows of the campaign, as scores of round 0.</summary>
    Task<IReadOnlyList<ReferenceScore>> PaintingAgreements(string campaignId);

    /// <summary>The quality counts of the campaign's annotators (those with an answer on an instance with a reference), by id.</summary>
    Task<IReadOnlyList<AnnotatorQualityRow>> AnnotatorQuality(string campaignId);

    /// <summary>
    /// Campaign grain, once per campaign: adds to the counters the answers recorded before the campaign's first counted
    /// answer (by a version that kept no counters), each counted by <paramref name="countersOf"/>. A marker row makes it
    /// happen once; answers recorded meanwhile wait on the campaign's total, so none is counted twice.
    /// </summary>
    Task BackfillAnswerCounters(string campaignId, Func<AnswerRow, IReadOnlyList<AnswerCounter>> countersOf);

    /// <summary>The campaign's answer counters of the given kinds, in key order.</summary>
    Task<IReadOnlyList<AnswerCounter>> AnswerCounters(string campaignId, IReadOnlyList<AnswerCounterKind> kinds);

    Task<bool> HasAnswer(string campaignId, string instanceId, string submissionId);

    /// <summary>The annotator's latest answers over all campaigns, newest first.</summary>
    Task<IReadOnlyList<AnswerRow>> RecentAnswers(string annotatorId, int take);

    /// <summary>Makes sure the annotator has a totals row in the campaign (registration when they first take work there).</summary>
    Task EnsureAnnotator(string campaignId, string annotatorId);

    Task<IReadOnlyList<AnnotatorTotals>> CampaignAnnotators(string campaignId);

    Task<IReadOnlyList<AnnotatorTotals>> AnnotatorCampaigns(string annotatorId);

    /// <summary>Quality index shard: inserts or replaces an instance's entry.</summary>
    Task WriteQuality(string campaignId, QualityRow row);

    /// <summary>Entries of one shard in instance id order after <paramref name="afterInstanceId"/>; only those with signals when asked.</summary>
    Task<IReadOnlyList<QualityRow>> QualityPage(string campaignId, int shard, string? afterInstanceId, int take, bool withSignalsOnly);

    /// <summary>Quality index shard: sets the predicted IoU of many entries under model <paramref name="version"/>, in one transaction.</summary>
    Task SetPredictions(string campaignId, int shard, IReadOnlyList<(string InstanceId, double Predicted)> predictions, int version);

    /// <summary>Whether an entry of the shard with signals is not scored under <paramref name="version"/>.</summary>
    Task<bool> AnyUnscored(string campaignId, int shard, int version);

    /// <summary>Scored entries that are not skipped, by predicted IoU (lowest first when <paramref name="worstFirst"/>), then instance id.</summary>
    Task<IReadOnlyList<QualityRow>> RankedQuality(string campaignId, int shard, int take, bool worstFirst);

    /// <summary>Scored entries of the shard that are not skipped: a counter kept by the shard's writes (counted once when missing).</summary>
    Task<long> CountRanked(string campaignId, int shard);

    Task<IReadOnlyList<QualityRow>> QualityOf(string campaignId, IReadOnlyList<string> instanceIds);

    Task<IReadOnlyList<QualityRow>> QualityWithTruth(string campaignId, int shard);

    /// <summary>Queued entries of the shard whose predicted IoU is below <paramref name="threshold"/>.</summary>
    Task<IReadOnlyList<QualityRow>> QueuedBelow(string campaignId, int shard, double threshold);

    /// <summary>
    /// Done, exhausted entries with fewer than <paramref name="maxExtraRounds"/> extra rounds, in <paramref name="order"/>
    /// (entries without a prediction are left out of <see cref="CandidateOrder.Predicted"/>), after the given key.
    /// </summary>
    Task<IReadOnlyList<QualityRow>> ExtraCandidates(string campaignId, int shard, int maxExtraRounds, CandidateOrder order,
        (double Key, string InstanceId)? after, int take);

    /// <summary>Runs a trivial statement: whether the database answers.</summary>
    Task Ping(CancellationToken cancellation);
}

/// <summary>A stored row changed under a writer that expected another version (two activations, or a lost write).</summary>
public sealed class StoreConflictException(string message) : Exception(message);
