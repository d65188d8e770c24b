using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Ranking;
using Serilog;

namespace Simulator.Campaign;

/// <summary>
/// How well the server's predicted IoU orders the campaign's masks by their true IoU: Spearman's rank correlation and
/// the mean true IoU of the top N% by predicted IoU (the paper's figure 8). The true IoU is the simulator's, of the
/// exported mask with the ignore band left out (the export mIoU's), measured before any extra round. Only instances
/// whose rounds did not train the model count, so the figures are held out.
/// </summary>
public sealed class RankingSummary
{
    private RankingSummary(
        RankingSnapshot snapshot, IReadOnlyList<(double Predicted, double TrueIoU)> pairs, int trainingInstances)
    {
        Snapshot = snapshot;
        Pairs = pairs;
        TrainingInstances = trainingInstances;
        var quality = RankingMetrics.Quality(pairs);
        Spearman = quality.Spearman;
        TopPercent = quality.Curve;
        AllMeanIoU = quality.AllMeanIoU;
    }

    public RankingSnapshot Snapshot { get; }

    /// <summary>Predicted and true IoU of each held-out instance with a prediction and an exported mask.</summary>
    public IReadOnlyList<(double Predicted, double TrueIoU)> Pairs { get; }

    /// <summary>Ranked instances whose rounds trained the model (left out of the figures).</summary>
    public int TrainingInstances { get; }

    /// <summary>NaN with fewer than two instances or a constant side.</summary>
    public double Spearman { get; }

    public IReadOnlyList<TopPercentPoint> TopPercent { get; }

    /// <summary>Mean true IoU of all the held-out instances (the 100% point); NaN without any.</summary>
    public double AllMeanIoU { get; }

    /// <param name="exported">The campaign's instances with the IoU of their exported mask, before extra rounds.</param>
    public static RankingSummary From(IReadOnlyList<CampaignInstanceResult> exported, RankingSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(exported);
        ArgumentNullException.ThrowIfNull(snapshot);
        var trueIoU = exported.ToDictionary(i => i.Instance.InstanceId, i => i.ExportIoU, StringComparer.Ordinal);
        var pairs = new List<(double, double)>();
        var training = 0;
        foreach (var item in snapshot.Items)
        {
            if (!trueIoU.TryGetValue(item.InstanceId, out var iou))
            {
                Log.Warning("The ranking lists instance {Instance}, which this run did not import; it is left out", item.InstanceId);
                continue;
            }
            if (item.Training)
            {
                training++;
                continue;
            }
            if (item.PredictedIoU is { } predicted && iou is { } actual) pairs.Add((predicted, actual));
        }
        return new RankingSummary(snapshot, pairs, training);
    }

    public JsonObject ToJson()
    {
        var importances = new JsonObject();
        foreach (var feature in Snapshot.Model.FeatureImportances ?? []) importances[feature.Feature] = ReportNumbers.Round(feature.Share);
        return new JsonObject
        {
            ["spearman"] = ReportNumbers.Round(Spearman),
            ["top_percent_miou"] = ReportNumbers.Curve(TopPercent),
            ["all_miou"] = ReportNumbers.Round(AllMeanIoU),
            ["instances"] = Pairs.Count,
            ["training_instances"] = TrainingInstances,
            ["model_version"] = Snapshot.ModelVersion,
            // The server retrains only when its examples grew by a quarter, so the model may lag the examples it has.
            ["model_examples"] = Snapshot.Model.Examples,
            ["trained_on_examples"] = Snapshot.Model.TrainedOnExamples,
            ["feature_importances"] = importances,
            ["server_curve"] = Snapshot.Curve.DeepClone(),
        };
    }

    public void AppendTable(StringBuilder sb)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"ranking: model M_r version {Snapshot.ModelVersion}, {Pairs.Count} held-out instances ({TrainingInstances} trained it), Spearman {Spearman:F4}");
        sb.AppendLine(inv, $"{"top",-8} {"n",6} {"mIoU",8}");
        foreach (var point in TopPercent)
            sb.AppendLine(inv, $"{point.Percent.ToString(inv) + "%",-8} {point.Instances,6} {point.MeanTrueIoU,8:F4}");
        sb.AppendLine(inv, $"{"all",-8} {Pairs.Count,6} {AllMeanIoU,8:F4}");
    }
}
