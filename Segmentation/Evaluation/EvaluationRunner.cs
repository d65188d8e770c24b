using System.Diagnostics;
using Segmentation.Evaluation.Datasets;
using Segmentation.Imaging;
using Segmentation.Models;

namespace Segmentation.Evaluation;

public sealed record EvaluationProgress(int Done, int Total, int Failed, double MeanFinalIoU, TimeSpan Elapsed);

/// <summary>
/// Runs a protocol over a dataset with one model. Instances of the same image are run one after another
/// on one prepared image, so per-image work (the SAM embedding) is shared. A broken item is reported by
/// name and skipped; the run goes on.
/// </summary>
public sealed class EvaluationRunner(ISegmentationModel model, ProtocolSettings settings, IProgress<EvaluationProgress>? progress = null)
{
    public EvaluationReport Run(IReadOnlyList<EvaluationInstance> instances, IEnumerable<DatasetProblem> loadProblems) =>
        RunAll(model, [settings], instances, loadProblems, progress)[0];

    /// <summary>
    /// Several protocol settings over the same instances, each instance run under every setting while its image is
    /// prepared, so the model's per-image work is done once for all of them. One report per setting, in order.
    /// </summary>
    public static IReadOnlyList<EvaluationReport> RunAll(
        ISegmentationModel model, IReadOnlyList<ProtocolSettings> settings, IReadOnlyList<EvaluationInstance> instances,
        IEnumerable<DatasetProblem> loadProblems, IProgress<EvaluationProgress>? progress = null)
    {
        foreach (var s in settings) s.Validate();
        var problems = new List<DatasetProblem>(loadProblems);
        var results = settings.Select(_ => new List<InstanceResult>(instances.Count)).ToArray();
        var watch = Stopwatch.StartNew();
        // Each setting's own time: its protocol runs plus the image loading they share. What the model caches on the
        // prepared image (SAM's embeddings) is paid by the setting that needs it first, so a setting run alone can take longer.
        var spent = new TimeSpan[settings.Count];
        var finalIoUSum = 0.0;

        string? preparedPath = null;
        IPreparedImage? prepared = null;
        try
        {
            for (var i = 0; i < instances.Count; i++)
            {
                var instance = instances[i];
                var loading = Stopwatch.StartNew();
                try
                {
                    if (preparedPath != instance.ImagePath || prepared is null)
                    {
                        prepared?.Dispose();
                        prepared = null;
                        preparedPath = instance.ImagePath;
                        prepared = model.Prepare(ReadImage(instance));
                    }
                    var truth = instance.LoadTruth();
                    loading.Stop();
                    var outcomes = new InstanceResult[settings.Count];
                    for (var k = 0; k < settings.Count; k++)
                    {
                        var run = Stopwatch.StartNew();
                        outcomes[k] = Protocols.Run(settings[k], model, prepared, instance.Id, truth);
                        spent[k] += run.Elapsed + loading.Elapsed;
                    }
                    for (var k = 0; k < outcomes.Length; k++) results[k].Add(outcomes[k]);
                    finalIoUSum += outcomes[0].IoU[^1];
                }
                catch (DatasetItemException ex)
                {
                    loading.Stop();
                    for (var k = 0; k < settings.Count; k++) spent[k] += loading.Elapsed;
                    problems.Add(new DatasetProblem(ex.Item, ex.Message));
                }
                progress?.Report(new EvaluationProgress(i + 1, instances.Count, problems.Count,
                    results[0].Count > 0 ? finalIoUSum / results[0].Count : double.NaN, watch.Elapsed));
            }
        }
        finally
        {
            prepared?.Dispose();
        }
        watch.Stop();
        return settings.Select((s, k) => new EvaluationReport(model.Name, s, results[k], problems, spent[k])).ToArray();
    }

    private static RgbImage ReadImage(EvaluationInstance instance)
    {
        try
        {
            return ImageCodec.ReadImage(instance.ImagePath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new DatasetItemException(instance.Id, $"{instance.Id}: image {instance.ImagePath} could not be read: {ex.Message}", ex);
        }
    }
}
