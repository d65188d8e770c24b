using Grains;
using Grains.Interfaces;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>The automated qualification test: items scored as they are answered, a failed attempt retried, a pass qualifies.</summary>
public sealed class QualificationTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    // The box model's mask is the whole box (x 10..29); the painted reference is its left half.
    static readonly MaskRle Reference = Rect(10, 5, 20, 25).ToWire();
    static readonly SubmittedClick[] OnWronglyCovered = [new(25.5, 15.5, ClickPolarity.Background)];
    static readonly SubmittedClick[] WrongPolarity = [new(25.5, 15.5, ClickPolarity.Foreground)];

    /// <summary>Instance keys of <paramref name="count"/> instances with the box model's mask and a painted reference.</summary>
    async Task<string[]> PaintedItems(string prefix, int count, string model = ModelNames.Box, bool finish = true)
    {
        var campaignId = NewId(prefix);
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings { Rounds = 1, MaxClicksPerRound = 4, ShardCount = 1, ModelName = model, ReferenceFraction = 1 });
        await campaign.BeginImport();
        await campaign.ImportInstances(Enumerable.Range(0, count).Select(i =>
            new InstanceImport($"i{i}", "a.jpg", CanvasWidth, CanvasHeight, new BoxD(10, 5, 30, 25), "box")).ToArray());
        var keys = Enumerable.Range(0, count).Select(i => AnnotationKeys.Instance(campaignId, $"i{i}")).ToArray();
        await campaign.Start();
        // The box model's masks are made by the campaign's model work; external ones are set here.
        if (model == ModelNames.External)
            foreach (var key in keys) await fixture.Grains.GetGrain<IInstanceGrain>(key).SetModelMask(0, Rect(10, 5, 30, 25).ToWire());
        for (var deadline = DateTime.UtcNow.AddSeconds(30);
             model != ModelNames.External && (await campaign.GetProgress()).Model.CompletedByRound.GetValueOrDefault(0) < count;)
        {
            Assert.True(DateTime.UtcNow < deadline, "The box model's masks were not made within 30 s.");
            await Task.Delay(50);
        }
        var painterId = NewId("painter");
        var painter = fixture.Grains.GetGrain<IAnnotatorGrain>(painterId);
        await painter.SetPaintingQualified(true);
        while (await painter.RequestPainting(campaignId) is { } task)
            await painter.SubmitPainting(task.InstanceKey, new PaintingSubmission(NewId("p"), painterId, 0, Reference, 30));
        if (!finish) return keys;
        // Test items are finished instances: whoever takes the test sees their references.
        var accepterId = NewId("accepter");
        var accepter = fixture.Grains.GetGrain<IAnnotatorGrain>(accepterId);
        await accepter.SetQualified(true);
        while (await accepter.RequestWork(campaignId) is { } work)
            await accepter.Submit(work.InstanceKey, new Submission(NewId("s"), accepterId, work.Round, [], false, 1));
        return keys;
    }

    IQualificationAttemptGrain Attempt(string kind, string annotatorId) => fixture.Grains.GetGrain<IQualificationAttemptGrain>($"{kind}/{annotatorId}");

    [Fact]
    public async Task A_failed_corrective_attempt_shows_where_clicks_belonged_and_a_retry_that_passes_qualifies_the_annotator()
    {
        var items = await PaintedItems("qual", 2);
        await fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Corrective)
            .Set(new QualificationTest(QualificationKinds.Corrective, items, 0, 0.9, TimeSpan.Zero));
        var id = NewId("a");
        var attempt = Attempt(QualificationKinds.Corrective, id);
        // Its reference is shown to test-takers: the item is no gold task any more.
        Assert.Null(await fixture.Grains.GetGrain<IInstanceGrain>(items[0]).PrepareGold(NewId("someone")));

        var first = await attempt.Next();
        Assert.Equal((0, 2, items[0]), (first.Item, first.Of, first.InstanceKey));
        Assert.NotNull(first.Mask);
        var wrongItem = await Assert.ThrowsAsync<AnnotationRejectedException>(() => attempt.Submit(1, new QualificationAnswer(WrongPolarity, null, 3)));
        Assert.Equal("item", wrongItem.Field);
        var feedback = await attempt.Submit(0, new QualificationAnswer(WrongPolarity, null, 3));
        Assert.Equal("contradicts", Assert.Single(feedback.Clicks).Verdict);
        // Where a click belonged: a background click on the wrongly covered right half.
        Assert.NotEmpty(feedback.SuggestedClicks);
        Assert.All(feedback.SuggestedClicks, s => Assert.True(s.Label == ClickPolarity.Background && s.X is >= 20 and <= 30, $"suggested {s}"));
        Assert.Equal(0.5, feedback.IoU, 6);
        Assert.Null(feedback.Result);
        var repeated = await attempt.Submit(0, new QualificationAnswer(OnWronglyCovered, null, 9));
        Assert.Equal((feedback.SecondsSpent, "contradicts"), (repeated.SecondsSpent, repeated.Clicks.Single().Verdict));

        await attempt.Next();
        var failed = (await attempt.Submit(1, new QualificationAnswer(WrongPolarity, null, 3))).Result!;
        Assert.Equal((false, 0.0), (failed.Passed, failed.RightPolarityShare!.Value));
        Assert.False(await fixture.Grains.GetGrain<IAnnotatorGrain>(id).IsQualified());

        // No waiting time: the retry starts over at item 0.
        Assert.Equal(0, (await attempt.Next()).Item);
        await attempt.Submit(0, new QualificationAnswer(OnWronglyCovered, null, 3));
        await attempt.Next();
        var passed = (await attempt.Submit(1, new QualificationAnswer(OnWronglyCovered, null, 3))).Result!;
        Assert.Equal((true, 1.0), (passed.Passed, passed.RightPolarityShare!.Value));
        Assert.True(await fixture.Grains.GetGrain<IAnnotatorGrain>(id).IsQualified());
        Assert.Equal(RejectionCodes.AlreadyQualified, (await Assert.ThrowsAsync<AnnotationRejectedException>(() => attempt.Next())).Code);
        var status = await attempt.GetStatus();
        Assert.Equal((true, 2, (int?)null, true), (status.Qualified, status.TestItems, status.AttemptItem, status.LastResult!.Passed));
    }

    [Fact]
    public async Task A_failed_attempt_waits_for_the_managers_time_and_a_suspended_annotator_cannot_test_their_way_back()
    {
        var items = await PaintedItems("wait", 1);
        await fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Corrective)
            .Set(new QualificationTest(QualificationKinds.Corrective, items, 0.9, null, TimeSpan.FromHours(1)));
        var id = NewId("a");
        var attempt = Attempt(QualificationKinds.Corrective, id);
        await attempt.Next();
        Assert.False((await attempt.Submit(0, new QualificationAnswer([], null, 2))).Result!.Passed);
        var later = await Assert.ThrowsAsync<AnnotationRejectedException>(() => attempt.Next());
        Assert.Equal(RejectionCodes.RetryLater, later.Code);
        Assert.InRange((await attempt.GetStatus()).RetryAt!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));

        var passer = NewId("b");
        await fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Corrective)
            .Set(new QualificationTest(QualificationKinds.Corrective, items, 0, null, TimeSpan.Zero));
        var passing = Attempt(QualificationKinds.Corrective, passer);
        await passing.Next();
        Assert.True((await passing.Submit(0, new QualificationAnswer(OnWronglyCovered, null, 2))).Result!.Passed);
        await fixture.Grains.GetGrain<IAnnotatorGrain>(passer).SetQualified(false);
        Assert.Equal(RejectionCodes.NotQualified, (await Assert.ThrowsAsync<AnnotationRejectedException>(() => passing.Next())).Code);
    }

    [Fact]
    public async Task The_painting_test_scores_the_painted_mask_and_grants_the_painting_qualification()
    {
        var items = await PaintedItems("paintqual", 1);
        await fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Painting)
            .Set(new QualificationTest(QualificationKinds.Painting, items, 0.8, null, TimeSpan.Zero));
        var id = NewId("a");
        var attempt = Attempt(QualificationKinds.Painting, id);
        Assert.Null((await attempt.Next()).Mask);
        var empty = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            attempt.Submit(0, new QualificationAnswer(null, new Segmentation.Masks.BinaryMask(CanvasWidth, CanvasHeight).ToWire(), 5)));
        Assert.Equal((RejectionCodes.InvalidMask, "mask"), (empty.Code, empty.Field));
        var feedback = await attempt.Submit(0, new QualificationAnswer(null, Rect(10, 5, 19, 25).ToWire(), 40));
        Assert.Equal((0.9, true), (Math.Round(feedback.IoU, 6), feedback.Result!.Passed));
        Assert.True(await fixture.Grains.GetGrain<IAnnotatorGrain>(id).IsPaintingQualified());
        Assert.False(await fixture.Grains.GetGrain<IAnnotatorGrain>(id).IsQualified());
    }

    [Fact]
    public async Task A_test_is_refused_by_field_when_an_item_cannot_be_scored()
    {
        var tests = fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Corrective);
        var campaignId = NewId("unpainted");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings { Rounds = 1, ShardCount = 1, ModelName = ModelNames.Box });
        await campaign.BeginImport();
        await campaign.ImportInstances([new InstanceImport("x", "a.jpg", CanvasWidth, CanvasHeight, new BoxD(10, 5, 30, 25), "box")]);
        var items = await PaintedItems("good", 1);

        var noReference = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            tests.Set(new QualificationTest(QualificationKinds.Corrective, [items[0], AnnotationKeys.Instance(campaignId, "x")], 0.5, null, TimeSpan.Zero)));
        Assert.Equal("items[1]", noReference.Field);
        var missing = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            tests.Set(new QualificationTest(QualificationKinds.Corrective, [AnnotationKeys.Instance(campaignId, "nope")], 0.5, null, TimeSpan.Zero)));
        Assert.Equal((RejectionCodes.NotInitialized, "items[0]"), (missing.Code, missing.Field));
        var share = await Assert.ThrowsAsync<AnnotationRejectedException>(() => fixture.Grains.GetGrain<IQualificationTestGrain>(QualificationKinds.Painting)
            .Set(new QualificationTest(QualificationKinds.Painting, items, 0.5, 0.9, TimeSpan.Zero)));
        Assert.Equal("minRightPolarityShare", share.Field);
        var live = await PaintedItems("live", 1, finish: false);
        var unfinished = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            tests.Set(new QualificationTest(QualificationKinds.Corrective, live, 0.5, null, TimeSpan.Zero)));
        Assert.Contains("still being annotated", unfinished.Message);
        var external = await PaintedItems("external", 1, ModelNames.External);
        Assert.Equal("items[0]", (await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            tests.Set(new QualificationTest(QualificationKinds.Corrective, external, 0.5, null, TimeSpan.Zero)))).Field);
    }
}
