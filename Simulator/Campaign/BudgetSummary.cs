using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Serilog;

namespace Simulator.Campaign;

/// <summary>One budget strategy's campaign: its export after the regular rounds and after the extra rounds.</summary>
public sealed record BudgetRun(CampaignResult Before, ExtraRoundsOutcome After);

/// <summary>
/// What the same extra-click budget bought under each strategy: the export mIoU before (after the regular rounds,
/// the same for every strategy with one seed) and after the extra rounds, and the server's account of the spending.
/// </summary>
public sealed class BudgetSummary
{
    /// <summary>Two befores further apart than this mean the strategies' campaigns did not start from the same masks.</summary>
    private const double SameBeforeTolerance = 1e-9;

    public BudgetSummary(int extraClicks, int seed, IReadOnlyList<BudgetRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("A budget summary needs at least one strategy's run.", nameof(runs));
        ExtraClicks = extraClicks;
        Seed = seed;
        Strategies = runs.Select(run => new StrategyFigures(run)).ToArray();
        BeforeMeanIoU = Strategies[0].BeforeMeanIoU;
        foreach (var s in Strategies.Skip(1).Where(s => !(Math.Abs(s.BeforeMeanIoU - BeforeMeanIoU) <= SameBeforeTolerance)))
            Log.Warning("Campaign {Campaign} had export mIoU {Before:F6} after its regular rounds, campaign {First} {FirstBefore:F6}: the strategies did not start from the same masks",
                s.CampaignId, s.BeforeMeanIoU, Strategies[0].CampaignId, BeforeMeanIoU);
    }

    public int ExtraClicks { get; }
    public int Seed { get; }

    /// <summary>The first strategy's export mIoU after the regular rounds.</summary>
    public double BeforeMeanIoU { get; }

    public IReadOnlyList<StrategyFigures> Strategies { get; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["extra_clicks"] = ExtraClicks,
            ["seed"] = Seed,
            ["before_miou"] = ReportNumbers.Round(BeforeMeanIoU),
        };
        foreach (var s in Strategies) json[s.Strategy.Name() + "_miou"] = ReportNumbers.Round(s.AfterMeanIoU);
        var details = new JsonObject();
        foreach (var s in Strategies)
            details[s.Strategy.Name()] = new JsonObject
            {
                ["campaign"] = s.CampaignId,
                ["before_miou"] = ReportNumbers.Round(s.BeforeMeanIoU),
                ["miou"] = ReportNumbers.Round(s.AfterMeanIoU),
                ["boundary_f"] = ReportNumbers.Round(s.AfterMeanBoundaryF),
                ["clicks_spent"] = s.Server.ClicksSpent,
                ["rounds_granted"] = s.Server.RoundsGranted,
                ["rounds_finished"] = s.Server.RoundsFinished,
                ["instances_changed"] = s.InstancesChanged,
                ["stop_reason"] = s.Server.StopReason,
                ["annotator_rounds"] = s.AnnotatorRounds,
                ["annotator_clicks"] = s.AnnotatorClicks,
                ["wall_seconds"] = ReportNumbers.Round(s.Wall.TotalSeconds),
            };
        json["details"] = details;
        return json;
    }

    public void AppendTable(StringBuilder sb)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"extra-click budget: {ExtraClicks} clicks per strategy, seed {Seed}");
        sb.AppendLine(inv, $"{"strategy",-10} {"clicks",7} {"rounds",7} {"changed",8} {"mIoU before",12} -> {"after",8} {"gain",8}");
        foreach (var s in Strategies)
            sb.AppendLine(inv,
                $"{s.Strategy.Name(),-10} {s.Server.ClicksSpent,7} {s.Server.RoundsFinished,7} {s.InstancesChanged,8} {s.BeforeMeanIoU,12:F4} -> {s.AfterMeanIoU,8:F4} {s.AfterMeanIoU - s.BeforeMeanIoU,8:+0.0000;-0.0000;0.0000}");
    }

    /// <summary>One strategy's figures.</summary>
    public sealed class StrategyFigures
    {
        public StrategyFigures(BudgetRun run)
        {
            ArgumentNullException.ThrowIfNull(run);
            var after = run.After;
            Strategy = after.Strategy;
            CampaignId = after.CampaignId;
            Server = after.Server;
            AnnotatorRounds = after.AnnotatorRounds;
            AnnotatorClicks = after.AnnotatorClicks;
            Wall = after.Wall;
            BeforeMeanIoU = ReportNumbers.Mean(run.Before.Instances.Select(i => i.ExportIoU));
            AfterMeanIoU = ReportNumbers.Mean(after.Export.Select(e => e.IoU));
            AfterMeanBoundaryF = ReportNumbers.Mean(after.Export.Select(e => e.BoundaryF));
            var before = run.Before.Instances.ToDictionary(i => i.Instance.InstanceId, i => i.ExportIoU, StringComparer.Ordinal);
            InstancesChanged = after.Export.Count(e => !before.TryGetValue(e.Instance.InstanceId, out var iou) || iou != e.IoU);
        }

        public BudgetStrategy Strategy { get; }
        public string CampaignId { get; }
        public ExtraRoundsDto Server { get; }
        public int AnnotatorRounds { get; }
        public int AnnotatorClicks { get; }
        public TimeSpan Wall { get; }
        public double BeforeMeanIoU { get; }
        public double AfterMeanIoU { get; }
        public double AfterMeanBoundaryF { get; }

        /// <summary>Instances whose exported mask's IoU differs after the extra rounds.</summary>
        public int InstancesChanged { get; }
    }
}
