namespace Segmentation.Evaluation;

/// <summary>What one study setting measured: mean IoU, boundary F and clicks used after M_b and after each round.</summary>
public sealed record StudyOutcome(
    StudyVariant Variant,
    IReadOnlyList<double> MeanIoU,
    IReadOnlyList<double> MeanBoundaryF,
    IReadOnlyList<double> MeanClicks,
    int LosingOver5Points)
{
    public string Study => Variant.Study;
    public string Label => Variant.Label;
    public ProtocolSettings Settings => Variant.Settings;

    public static StudyOutcome Of(StudyVariant variant, EvaluationReport report) =>
        new(variant, report.MeanIoUPerStep, report.MeanBoundaryFPerStep, report.MeanCumulativeClicksPerStep, report.LosingOver5Points);
}
