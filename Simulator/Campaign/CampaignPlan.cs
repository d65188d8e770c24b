using System.Globalization;
using System.Text.Json.Nodes;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using Segmentation.Simulation;

namespace Simulator.Campaign;

/// <summary>
/// The instances of a simulated campaign and the COCO instance file that imports them: one image entry per
/// image file (file_name relative to the image folder, '/' separators), one category per class ("object"
/// for instances without one), and one annotation per instance with id 1..n and the noisy box as bbox
/// [x0, y0, x1 - x0, y1 - y0]. The server starts from the boxes; a segmentation (the full ground-truth mask in
/// compressed RLE) is sent only when asked for, for a server that trains its quality model on ground truth.
/// </summary>
public sealed class CampaignPlan
{
    /// <summary>The category of instances whose dataset has no classes.</summary>
    public const string DefaultCategory = "object";

    private readonly Dictionary<string, CampaignInstance> byInstanceId;

    private CampaignPlan(IReadOnlyList<CampaignInstance> instances, IReadOnlyList<DatasetProblem> problems, JsonObject importDocument)
    {
        Instances = instances;
        Problems = problems;
        ImportDocument = importDocument;
        byInstanceId = instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
    }

    /// <summary>In annotation id order.</summary>
    public IReadOnlyList<CampaignInstance> Instances { get; }

    /// <summary>Dataset items that could not be used (reported by name and left out of the import).</summary>
    public IReadOnlyList<DatasetProblem> Problems { get; }

    public JsonObject ImportDocument { get; }

    public CampaignInstance? Find(string instanceId) => byInstanceId.GetValueOrDefault(instanceId);

    /// <summary>
    /// Loads each instance's ground truth, draws its noisy box from <c>GaussianRandom.ForInstance(seed, id)</c>
    /// (as the eval command does) and numbers the usable instances 1..n in the given order.
    /// </summary>
    /// <param name="extraRounds">How many extra rounds after <paramref name="rounds"/> an instance may be given.</param>
    /// <param name="sendGroundTruth">
    /// Put each instance's ground-truth mask in the import as its <c>segmentation</c>. The whole mask is sent: the
    /// ignore band only leaves pixels out of the simulator's scores.
    /// </param>
    public static CampaignPlan Build(
        IReadOnlyList<EvaluationInstance> instances, string imagesDir, int seed, NoisyBoxSimulatorOptions boxes, int rounds,
        int extraRounds = 0, bool sendGroundTruth = false)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentException.ThrowIfNullOrEmpty(imagesDir);
        var root = Path.GetFullPath(imagesDir);
        var boxSimulator = new NoisyBoxSimulator(boxes);
        var problems = new List<DatasetProblem>();
        var planned = new List<CampaignInstance>();
        var imageIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var categoryIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var images = new JsonArray();
        var categories = new JsonArray();
        var annotations = new JsonArray();
        foreach (var instance in instances)
        {
            var fileName = Path.GetRelativePath(root, Path.GetFullPath(instance.ImagePath)).Replace(Path.DirectorySeparatorChar, '/');
            if (fileName.StartsWith("../", StringComparison.Ordinal) || fileName == ".." || Path.IsPathRooted(fileName))
            {
                problems.Add(new DatasetProblem(instance.Id, $"{instance.Id}: image {instance.ImagePath} is not inside the image folder {root}."));
                continue;
            }
            InstanceTruth truth;
            try
            {
                truth = instance.LoadTruth();
            }
            catch (DatasetItemException ex)
            {
                problems.Add(new DatasetProblem(ex.Item, ex.Message));
                continue;
            }
            var rng = GaussianRandom.ForInstance(seed, instance.Id);
            var tight = NoisyBoxSimulator.TightBox(truth.Mask);
            var box = boxSimulator.Draw(tight, truth.Mask.Width, truth.Mask.Height, rng);

            if (!imageIds.TryGetValue(fileName, out var imageId))
            {
                imageId = imageIds.Count + 1;
                imageIds[fileName] = imageId;
                images.Add(new JsonObject
                {
                    ["id"] = imageId,
                    ["file_name"] = fileName,
                    ["width"] = truth.Mask.Width,
                    ["height"] = truth.Mask.Height,
                });
            }
            var category = string.IsNullOrEmpty(instance.Category) ? DefaultCategory : instance.Category;
            if (!categoryIds.TryGetValue(category, out var categoryId))
            {
                categoryId = categoryIds.Count + 1;
                categoryIds[category] = categoryId;
                categories.Add(new JsonObject { ["id"] = categoryId, ["name"] = category });
            }
            var annotationId = planned.Count + 1L;
            var annotation = new JsonObject
            {
                ["id"] = annotationId,
                ["image_id"] = imageId,
                ["category_id"] = categoryId,
                ["bbox"] = new JsonArray(box.X0, box.Y0, box.X1 - box.X0, box.Y1 - box.Y0),
                ["area"] = box.Area,
                ["iscrowd"] = 0,
            };
            if (sendGroundTruth)
                annotation["segmentation"] = new JsonObject
                {
                    ["size"] = new JsonArray(truth.Mask.Height, truth.Mask.Width),
                    ["counts"] = CocoRle.Encode(truth.Mask),
                };
            annotations.Add(annotation);
            planned.Add(new CampaignInstance(annotationId, instance, imageId, fileName, truth, box, rng, rounds, extraRounds));
        }
        var document = new JsonObject
        {
            ["info"] = new JsonObject
            {
                ["description"] = string.Create(CultureInfo.InvariantCulture, $"simulated campaign, noisy boxes with seed {seed}"),
            },
            ["images"] = images,
            ["categories"] = categories,
            ["annotations"] = annotations,
        };
        return new CampaignPlan(planned, problems, document);
    }
}
