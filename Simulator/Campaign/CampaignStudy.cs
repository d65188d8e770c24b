using Serilog;

namespace Simulator.Campaign;

/// <summary>What the campaign command reports: the first campaign's regular rounds, its ranking, the budget runs.</summary>
/// <param name="Ranking">With a ground-truth fraction above 0.</param>
/// <param name="Budget">With an extra-click budget.</param>
/// <param name="Quality">The server's annotator quality table, with careless annotators or a ground-truth fraction.</param>
public sealed record CampaignStudyResult(CampaignResult First, RankingSummary? Ranking, BudgetSummary? Budget,
    IReadOnlyList<AnnotatorQualityDto>? Quality = null);

/// <summary>
/// The campaigns of the campaign command. Without an extra-click budget: one campaign, and with a ground-truth fraction
/// the quality model's ranking of its masks. With a budget: one campaign per budget strategy, id CAMPAIGN-STRATEGY,
/// all with the same seed, so their regular rounds are the same; each then spends the budget on extra rounds. The
/// ranking is read from the first one, before its extra rounds.
/// </summary>
/// <param name="buildPlan">
/// A fresh plan per campaign: an instance's random stream and answers belong to one campaign.
/// </param>
/// <param name="progress">The progress sink of a campaign's regular rounds, by campaign id.</param>
public sealed class CampaignStudy(
    CampaignOptions options, Func<CampaignPlan> buildPlan, HttpClient http, RetryPolicy? retry = null,
    Func<string, IProgressSink?>? progress = null)
{
    public async Task<CampaignStudyResult> RunAsync(CancellationToken ct = default)
    {
        if (options.ExtraClicks == 0)
        {
            var runner = new CampaignRunner(options, buildPlan(), http, retry, progress?.Invoke(options.CampaignId));
            var result = await runner.RunAsync(ct);
            var ranking = options.TrainsQualityModel ? RankingSummary.From(result.Instances, await runner.CollectRankingAsync(ct)) : null;
            return new CampaignStudyResult(result, ranking, null, WantsQuality ? await runner.CollectAnnotatorQualityAsync(ct) : null);
        }

        if (options.BudgetStrategies.Count == 0) throw new InvalidOperationException("An extra-click budget needs at least one budget strategy.");
        CampaignResult? first = null;
        RankingSummary? firstRanking = null;
        IReadOnlyList<AnnotatorQualityDto>? firstQuality = null;
        var runs = new List<BudgetRun>();
        foreach (var strategy in options.BudgetStrategies)
        {
            var campaignOptions = options with { CampaignId = $"{options.CampaignId}-{strategy.Name()}" };
            var runner = new CampaignRunner(campaignOptions, buildPlan(), http, retry, progress?.Invoke(campaignOptions.CampaignId));
            Log.Information("Budget strategy {Strategy}: campaign {Id}", strategy.Name(), campaignOptions.CampaignId);
            var before = await runner.RunAsync(ct);
            if (first is null)
            {
                first = before;
                if (options.TrainsQualityModel) firstRanking = RankingSummary.From(before.Instances, await runner.CollectRankingAsync(ct));
                if (WantsQuality) firstQuality = await runner.CollectAnnotatorQualityAsync(ct);
            }
            var after = await runner.SpendExtraClicksAsync(strategy, RisingProgressSink.Log($"extra rounds of {campaignOptions.CampaignId}"), ct);
            runs.Add(new BudgetRun(before, after));
        }
        return new CampaignStudyResult(first!, firstRanking, new BudgetSummary(options.ExtraClicks, options.Seed, runs), firstQuality);
    }

    /// <summary>Annotators are judged on instances with a reference mask: worth reading with careless annotators or ground truth.</summary>
    bool WantsQuality => options.Careless > 0 || options.TrainsQualityModel;
}
