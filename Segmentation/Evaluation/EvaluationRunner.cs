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
    public EvaluationReport Run(IReadOnlyList<EvaluationInstance> instances, IEnumerable<DatasetProblem> loadProblems)
    {
        settings.Validate();
        var problems = new List<DatasetProblem>(loadProblems);
        var results = new List<InstanceResult>(instances.Count);
        var watch = Stopwatch.StartNew();
        var finalIoUSum = 0.0;

        string? preparedPath = null;
        IPreparedImage? prepared = null;
        try
        {
            for (var i = 0; i < instances.Count; i++)
            {
                var instance = instances[i];
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
                    var result = Protocols.Run(settings, model, prepared, instance.Id, truth);
                    results.Add(result);
                    finalIoUSum += result.IoU[^1];
                }
                catch (DatasetItemException ex)
                {
                    problems.Add(new DatasetProblem(ex.Item, ex.Message));
                }
                progress?.Report(new EvaluationProgress(i + 1, instances.Count, problems.Count,
                    results.Count > 0 ? finalIoUSum / results.Count : double.NaN, watch.Elapsed));
            }
        }
        finally
        {
            prepared?.Dispose();
        }
        watch.Stop();
        return new EvaluationReport(model.Name, settings, results, problems, watch.Elapsed);
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
