using Grains.Interfaces;
using Grains.Store;
using Backend.Tests.ApiTests;
using Hosting;
using Segmentation.Campaigns;

namespace Backend.Tests.Storage;

/// <summary>The counters the campaign store keeps beside its rows, on both databases: they must match the rows they count.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CampaignStoreCounterTests(PostgresServer server)
{
    public static TheoryData<string> Databases => new() { "postgres", "sqlite" };

    ICampaignStore Store(string database)
    {
        if (database == "sqlite") return AnnotationStorage.CreateCampaignStore(TestStores.NewSqlite());
        var settings = StorageSettings.ForPostgres(server.ConnectionString);
        SchemaInstaller.Apply(settings);
        return AnnotationStorage.CreateCampaignStore(settings);
    }

    static readonly QualitySignals Signals = new(1, 1, 0.9, 3, 2);

    static QualityRow Quality(string instanceId, double? predicted, InstanceStatus status = InstanceStatus.Done) =>
        new(instanceId, 0, 1, status, true, 0, 0, false, null, Signals, predicted, 1);

    [Theory, MemberData(nameof(Databases))]
    public async Task The_ranked_count_follows_every_write_of_a_quality_shard(string database)
    {
        var store = Store(database);
        var campaignId = Api.NewId("ranked");
        await store.WriteQuality(campaignId, Quality("a", 0.5));
        await store.WriteQuality(campaignId, Quality("b", 0.7));
        await store.WriteQuality(campaignId, Quality("c", null));
        Assert.Equal(2, await store.CountRanked(campaignId, 0)); // counted from the entries, once

        await store.WriteQuality(campaignId, Quality("d", 0.9));                          // ranked: +1
        await store.WriteQuality(campaignId, Quality("a", 0.5, InstanceStatus.Skipped));  // skipped: -1
        await store.WriteQuality(campaignId, Quality("b", 0.6));                          // still ranked
        await store.SetPredictions(campaignId, 0, [("a", 0.1), ("b", 0.65), ("c", 0.3)], 2); // c now ranked, a stays skipped

        Assert.Equal(3, await store.CountRanked(campaignId, 0));
        Assert.Equal(["c", "b", "d"], (await store.RankedQuality(campaignId, 0, 100, worstFirst: true)).Select(r => r.InstanceId));
        Assert.Equal(0, await store.CountRanked(campaignId, 1));
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Quality_counts_add_up_per_annotator_once_per_answer(string database)
    {
        var store = Store(database);
        var campaignId = Api.NewId("judged");
        var at = DateTimeOffset.UtcNow.UtcTicks;
        Assert.True(await store.RecordAnswer(new AnswerRow(campaignId, "i1", "s1", "ann", 1, 4, 3, false, at, new AnswerQuality(4, 1, true, true, false, false)), []));
        Assert.True(await store.RecordAnswer(new AnswerRow(campaignId, "i2", "s2", "ann", 1, 0, 1, false, at, new AnswerQuality(0, 0, false, false, true, true)), []));
        Assert.True(await store.RecordAnswer(new AnswerRow(campaignId, "i3", "s3", "other", 1, 2, 1, false, at, new AnswerQuality(1, 1, true, false, false, false)), []));
        Assert.True(await store.RecordAnswer(new AnswerRow(campaignId, "i4", "s4", "ann", 1, 2, 1, false, at), [])); // no reference
        // The same submission again: recorded before, nothing added.
        Assert.False(await store.RecordAnswer(new AnswerRow(campaignId, "i1", "s1", "ann", 1, 4, 3, false, at, new AnswerQuality(4, 1, true, true, false, false)), []));

        Assert.Equal(
            [new AnnotatorQualityRow("ann", 4, 1, 1, 1, 1, 1), new AnnotatorQualityRow("other", 1, 1, 1, 0, 0, 0)],
            await store.AnnotatorQuality(campaignId));
        Assert.Empty(await store.AnnotatorQuality(Api.NewId("none")));

        // Gains add once per instance and round, also for an annotator with no judged answer yet.
        Assert.True(await store.RecordGain(campaignId, "i1", 1, "ann", 0.2, 4));
        Assert.False(await store.RecordGain(campaignId, "i1", 1, "ann", 0.2, 4));
        Assert.True(await store.RecordGain(campaignId, "i1", 2, "ann", -0.05, 1));
        Assert.True(await store.RecordGain(campaignId, "i9", 1, "third", 0.1, 2));
        var rows = (await store.AnnotatorQuality(campaignId)).ToDictionary(r => r.AnnotatorId);
        Assert.Equal((2L, 5L), (rows["ann"].GainRounds, rows["ann"].GainClicks));
        Assert.Equal(0.15, rows["ann"].GainSum, 12);
        Assert.Equal(new AnnotatorQualityRow("third", 0, 0, 0, 0, 0, 0, 1, 0.1, 2), rows["third"]);
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Gold_instances_are_walked_in_order_and_gold_answers_are_summed_once_per_submission(string database)
    {
        var store = Store(database);
        var campaignId = Api.NewId("gold");
        await store.AddGold(campaignId, "b", 20);
        await store.AddGold(campaignId, "a", 20);
        await store.AddGold(campaignId, "c", 10);
        await store.AddGold(campaignId, "a", 99); // already there: keeps its place
        var order = new List<string>();
        for (var at = await store.NextGold(campaignId, null); at is not null; at = await store.NextGold(campaignId, at)) order.Add(at.InstanceId);
        Assert.Equal(["c", "a", "b"], order);
        Assert.Null(await store.NextGold(Api.NewId("none"), null));

        var judged = new AnswerQuality(2, 1, true, true, false, false);
        Assert.True(await store.RecordGoldAnswer(new GoldAnswerRow(campaignId, "s1", "c", "x", 2, 4, false, 0.25, 1, judged)));
        Assert.False(await store.RecordGoldAnswer(new GoldAnswerRow(campaignId, "s1", "c", "x", 2, 4, false, 0.25, 1, judged)));
        Assert.True(await store.RecordGoldAnswer(new GoldAnswerRow(campaignId, "s2", "a", "x", 0, 2, false, null, 2, null)));
        Assert.True(await store.RecordGoldAnswer(new GoldAnswerRow(campaignId, "s3", "b", "x", 0, 1, true, null, 3, null)));
        Assert.Equal(new AnnotatorGoldRow("x", 3, 1, 7, 1, 0.25, 2), Assert.Single(await store.AnnotatorGold(campaignId)));
        Assert.Equal((2L, 1L), Assert.Single(await store.AnnotatorQuality(campaignId)) is var q ? (q.JudgedClicks, q.WrongPolarityClicks) : default);
        var again = await store.GoldAnswer(campaignId, "s1");
        Assert.Equal(("c", "x", 2, 0.25), (again!.InstanceId, again.AnnotatorId, again.Clicks, again.Gain));
        Assert.Null((await store.GoldAnswer(campaignId, "s2"))!.Gain);
        Assert.Null(await store.GoldAnswer(campaignId, "nope"));

        await store.RecordPredictedGain(campaignId, "c", 2, "x", 0.1, 2);
        await store.RecordPredictedGain(campaignId, "c", 2, "x", 0.5, 4); // the same round again: kept once
        await store.RecordPredictedGain(campaignId, "a", 3, "x", -0.04, 1);
        var (annotator, rounds, sum, clicks) = Assert.Single(await store.PredictedGains(campaignId));
        Assert.Equal(("x", 2L, 0.06, 3L), (annotator, rounds, Math.Round(sum, 9), clicks));
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Answer_counters_count_each_answer_once_also_when_annotators_answer_at_the_same_time(string database)
    {
        var store = Store(database);
        var campaignId = Api.NewId("counted");
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

        // 16 annotators answer at once, each its own instance: one accepts (finishes), the rest correct in round 1 of 3.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
        {
            var clicks = i == 0 ? 0 : 1 + i % 3;
            var row = new AnswerRow(campaignId, $"i{i}", $"s{i}", $"ann{i}", 1, clicks, 2 + i, false, at.AddSeconds(i).UtcTicks);
            return store.RecordAnswer(row, AnswerCounters.Of(1, clicks, false, 2 + i, at.AddSeconds(i), rounds: 3));
        }));
        // The same submission again adds nothing.
        var again = new AnswerRow(campaignId, "i0", "s0", "ann0", 1, 0, 2, false, at.UtcTicks);
        Assert.False(await store.RecordAnswer(again, AnswerCounters.Of(1, 0, false, 2, at, rounds: 3)));

        var counters = await store.AnswerCounters(campaignId, [AnswerCounterKind.Total, AnswerCounterKind.RoundClicks, AnswerCounterKind.Minute]);
        var total = counters.Single(c => c.Kind == AnswerCounterKind.Total);
        Assert.Equal((16, 1), (total.Answers, total.Finished));
        Assert.Equal(Enumerable.Range(0, 16).Sum(i => 2.0 + i), total.Seconds, 9);
        Assert.Equal((at.UtcTicks, at.AddSeconds(15).UtcTicks), (total.FirstAtTicks, total.LastAtTicks));
        Assert.Equal([1, 5, 5, 5], counters.Where(c => c.Kind == AnswerCounterKind.RoundClicks).OrderBy(c => c.K2).Select(c => c.Answers));
        Assert.Equal(16, Assert.Single(counters, c => c.Kind == AnswerCounterKind.Minute).Answers);
        Assert.DoesNotContain(counters, c => c.Kind == AnswerCounterKind.SecondsBucket);
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Answers_stored_before_the_counters_existed_are_counted_once_by_the_backfill(string database)
    {
        var store = Store(database);
        var campaignId = Api.NewId("backfill");
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        IReadOnlyList<AnswerCounter> CountersOf(AnswerRow a) =>
            AnswerCounters.Of(a.Round, a.Clicks, a.Skipped, a.Seconds, new DateTimeOffset(a.AtTicks, TimeSpan.Zero), rounds: 2);
        AnswerRow Answer(int i, int minutes) => new(campaignId, $"i{i}", $"s{i}", "ann", 1, i % 2, 3, false, at.AddMinutes(minutes).UtcTicks);

        // Three answers from a version without counters, then one counted as it is recorded.
        for (var i = 0; i < 3; i++) Assert.True(await store.RecordAnswer(Answer(i, i), []));
        Assert.True(await store.RecordAnswer(Answer(3, 10), CountersOf(Answer(3, 10))));

        await store.BackfillAnswerCounters(campaignId, CountersOf);
        await store.BackfillAnswerCounters(campaignId, CountersOf); // the marker makes the second one do nothing

        var counters = await store.AnswerCounters(campaignId, [AnswerCounterKind.Total, AnswerCounterKind.RoundClicks, AnswerCounterKind.Minute]);
        var total = counters.Single(c => c.Kind == AnswerCounterKind.Total);
        Assert.Equal((4, 2), (total.Answers, total.Finished)); // the two accepts finish their instances
        Assert.Equal((at.UtcTicks, at.AddMinutes(10).UtcTicks), (total.FirstAtTicks, total.LastAtTicks));
        Assert.Equal([2, 2], counters.Where(c => c.Kind == AnswerCounterKind.RoundClicks).OrderBy(c => c.K2).Select(c => c.Answers));
        Assert.Equal(4, counters.Where(c => c.Kind == AnswerCounterKind.Minute).Sum(c => c.Answers));

        // A campaign with no answers yet gets its marker and an empty total; later answers count as usual.
        var fresh = Api.NewId("backfill-fresh");
        await store.BackfillAnswerCounters(fresh, CountersOf);
        var row = new AnswerRow(fresh, "x", "s", "ann", 1, 0, 2, false, at.UtcTicks);
        Assert.True(await store.RecordAnswer(row, CountersOf(row)));
        var freshTotal = (await store.AnswerCounters(fresh, [AnswerCounterKind.Total])).Single();
        Assert.Equal((1, at.UtcTicks, at.UtcTicks), (freshTotal.Answers, freshTotal.FirstAtTicks, freshTotal.LastAtTicks));
    }
}
