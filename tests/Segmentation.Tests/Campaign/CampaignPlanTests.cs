using System.Text.Json.Nodes;
using Segmentation.Evaluation;
using Segmentation.Evaluation.Datasets;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Simulation;
using Segmentation.Tests.Datasets;
using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

/// <summary>The COCO import document and the per-instance random streams, on real dev-set instances.</summary>
public sealed class CampaignPlanTests : IDisposable
{
    private const int Seed = 7;
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static string DavisImages => Path.Combine(TestData.DavisDirectory, "img");

    private static IReadOnlyList<EvaluationInstance> ThreeDevInstances()
    {
        var dataset = PairedFolderDataset.Load(DavisImages, Path.Combine(TestData.DavisDirectory, "gt"));
        var instances = DatasetSubset.EveryNth(dataset.Instances, 115);
        Assert.Equal(["000", "115", "230"], instances.Select(i => i.Id));
        return instances;
    }

    [Fact]
    public void Import_boxes_are_the_noisy_boxes_eval_draws_for_the_same_seed()
    {
        var instances = ThreeDevInstances();
        var plan = CampaignPlan.Build(instances, DavisImages, Seed, new NoisyBoxSimulatorOptions(), rounds: 3);

        // The eval command's boxes: the rounds protocol with the same seed (a model that just fills the box).
        var settings = new ProtocolSettings { Kind = ProtocolKind.Rounds, Rounds = 0, Seed = Seed };
        using var model = new FilledBoxModel();
        var evalBoxes = instances.Select(i =>
        {
            using var image = model.Prepare(ImageCodec.ReadImage(i.ImagePath));
            return Protocols.RunRounds(settings, model, image, i.Id, i.LoadTruth()).Box!.Value;
        }).ToArray();

        var doc = Reparse(plan.ImportDocument);
        var annotations = doc["annotations"]!.AsArray();
        Assert.Equal(3, annotations.Count);
        for (var i = 0; i < 3; i++)
        {
            var a = annotations[i]!;
            var bbox = a["bbox"]!.AsArray().Select(v => (double)v!).ToArray();
            var box = evalBoxes[i];
            Assert.Equal(i + 1, (long)a["id"]!);
            Assert.Equal([box.X0, box.Y0, box.X1 - box.X0, box.Y1 - box.Y0], bbox);
            Assert.Equal(box, plan.Instances[i].Box);
            Assert.NotEqual(NoisyBoxSimulator.TightBox(instances[i].LoadTruth().Mask), box); // really noisy
            Assert.Equal(0, (int)a["iscrowd"]!);
            Assert.Null(a["segmentation"]); // the server starts from the box only
            Assert.Equal(i + 1, (long)a["image_id"]!);
            Assert.Equal(1, (long)a["category_id"]!);
        }

        var images = doc["images"]!.AsArray();
        Assert.Equal(["000.jpg", "115.jpg", "230.jpg"], images.Select(im => (string)im!["file_name"]!));
        foreach (var (image, instance) in images.Zip(instances))
        {
            var (w, h) = ImageHeader.ReadSize(instance.ImagePath);
            Assert.Equal((w, h), ((int)image!["width"]!, (int)image["height"]!));
        }
        var category = Assert.Single(doc["categories"]!.AsArray());
        Assert.Equal("object", (string)category!["name"]!);
        Assert.Equal(["1", "2", "3"], plan.Instances.Select(i => i.InstanceId));
        Assert.Same(plan.Instances[1], plan.Find("2"));
        Assert.Null(plan.Find("4"));
    }

    [Fact]
    public void Each_instance_keeps_its_random_stream_after_the_box_for_the_clicks()
    {
        var instances = ThreeDevInstances();
        var plan = CampaignPlan.Build(instances, DavisImages, Seed, new NoisyBoxSimulatorOptions(), rounds: 3);
        var simulator = new ClickSimulator();
        var instance = plan.Instances[1];
        var truth = instances[1].LoadTruth();

        // The same stream as Protocols.RunRounds: box first, then each round's clicks.
        var rng = GaussianRandom.ForInstance(Seed, "115");
        var box = new NoisyBoxSimulator().Draw(NoisyBoxSimulator.TightBox(truth.Mask), truth.Mask.Width, truth.Mask.Height, rng);
        Assert.Equal(box, instance.Box);
        var boxMask = Filled(box, truth.Mask.Width, truth.Mask.Height);
        var round1 = simulator.CorrectiveClicks(truth.Mask, boxMask, 3, rng, truth.Ignore);
        var round2 = simulator.CorrectiveClicks(truth.Mask, truth.Mask.AndNot(boxMask).Or(boxMask.AndNot(truth.Mask)), 3, rng, truth.Ignore);

        var first = instance.Answer(1, boxMask, 3, simulator);
        Assert.Equal(round1, first.Clicks);
        Assert.NotEmpty(first.Clicks);
        // The same round handed out again (an expired lease): the same answer, nothing drawn.
        Assert.Same(first, instance.Answer(1, boxMask, 3, simulator));
        instance.Submitted(first, "corrected");
        var second = instance.Answer(2, truth.Mask.AndNot(boxMask).Or(boxMask.AndNot(truth.Mask)), 3, simulator);
        Assert.Equal(round2, second.Clicks);
        Assert.NotEqual(first.SubmissionId, second.SubmissionId);
        Assert.Equal(MaskMetrics.IoU(boxMask, truth.Mask), instance.Results(null).IoU[0]);
    }

    [Fact]
    public void Extra_rounds_are_answered_from_the_same_stream_after_the_regular_ones()
    {
        var instances = ThreeDevInstances();
        var plan = CampaignPlan.Build(instances, DavisImages, Seed, new NoisyBoxSimulatorOptions(), rounds: 1, extraRounds: 1);
        var simulator = new ClickSimulator();
        var instance = plan.Instances[0];
        var truth = instances[0].LoadTruth();
        var rng = GaussianRandom.ForInstance(Seed, "000");
        var box = new NoisyBoxSimulator().Draw(NoisyBoxSimulator.TightBox(truth.Mask), truth.Mask.Width, truth.Mask.Height, rng);
        var boxMask = Filled(box, truth.Mask.Width, truth.Mask.Height);
        var afterRound1 = truth.Mask.AndNot(Filled(new BoxF(0, 0, 854, 240), 854, 480)); // the top half is missing
        var expected1 = simulator.CorrectiveClicks(truth.Mask, boxMask, 3, rng, truth.Ignore);
        var expected2 = simulator.CorrectiveClicks(truth.Mask, afterRound1, 3, rng, truth.Ignore);

        var first = instance.Answer(1, boxMask, 3, simulator);
        Assert.True(instance.Submitted(first, "corrected")); // the last regular round finishes the instance
        var extra = instance.Answer(2, afterRound1, 3, simulator);
        Assert.Same(extra, instance.Answer(2, afterRound1, 3, simulator)); // handed out again: the same answer
        Assert.False(instance.Submitted(extra, "corrected"));

        Assert.Equal(expected1, first.Clicks);
        Assert.Equal(expected2, extra.Clicks);
        Assert.NotEmpty(expected2);
        Assert.Equal((1, expected2.Count), instance.ExtraResults());
        var (iou, clicks) = instance.Results(0.95);
        Assert.Equal([MaskMetrics.IoU(boxMask, truth.Mask, truth.Ignore), 0.95], iou);
        Assert.Equal([0, expected1.Count], clicks);
        Assert.Throws<ArgumentOutOfRangeException>(() => instance.Answer(3, afterRound1, 3, simulator));
    }

    [Fact]
    public void The_import_carries_the_whole_ground_truth_mask_as_rle_only_when_asked()
    {
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "a.png"), 40, 30);
        // Object 255 with a 128 ignore band around it: the band is the simulator's, not part of the mask sent.
        DatasetFiles.GreyPng(Path.Combine(masks, "a.png"), 40, 30, (x, y) =>
            x is >= 10 and < 30 && y is >= 8 and < 22 ? (byte)255 : x is >= 8 and < 32 && y is >= 6 and < 24 ? (byte)128 : (byte)0);
        var dataset = PairedFolderDataset.Load(images, masks, ignoreValue: 128);
        var truth = dataset.Instances[0].LoadTruth();
        Assert.NotNull(truth.Ignore);

        var without = Reparse(CampaignPlan.Build(dataset.Instances, images, Seed, new NoisyBoxSimulatorOptions(), rounds: 1).ImportDocument);
        var with = Reparse(CampaignPlan.Build(dataset.Instances, images, Seed, new NoisyBoxSimulatorOptions(), rounds: 1, sendGroundTruth: true).ImportDocument);

        Assert.Null(without["annotations"]![0]!["segmentation"]);
        var segmentation = with["annotations"]![0]!["segmentation"]!;
        Assert.Equal([30, 40], segmentation["size"]!.AsArray().Select(v => (int)v!));
        var sent = CocoRle.Decode((string)segmentation["counts"]!, 30, 40);
        Assert.Equal(truth.Mask, sent);
        Assert.Equal(20 * 14, sent.Area());
        Assert.Equal(without["annotations"]![0]!["bbox"]!.ToJsonString(), with["annotations"]![0]!["bbox"]!.ToJsonString());
    }

    [Fact]
    public void Coco_input_keeps_folders_with_forward_slashes_and_one_category_per_class()
    {
        var images = temp.Folder("images");
        Directory.CreateDirectory(Path.Combine(images, "sub"));
        File.Copy(TestData.DavisImage(0), Path.Combine(images, "sub", "x.jpg"));
        File.Copy(TestData.DavisImage(1), Path.Combine(images, "y.jpg"));
        var truth = ImageCodec.ReadMask(TestData.DavisMask(0));
        JsonNode Rect(int x0, int y0, int x1, int y1) => new JsonArray(new JsonArray(x0, y0, x1, y0, x1, y1, x0, y1));
        var coco = new JsonObject
        {
            ["images"] = new JsonArray(
                new JsonObject { ["id"] = 5, ["file_name"] = "sub/x.jpg", ["width"] = 854, ["height"] = 480 },
                new JsonObject { ["id"] = 6, ["file_name"] = "y.jpg", ["width"] = 854, ["height"] = 480 }),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 3, ["name"] = "cat" }, new JsonObject { ["id"] = 4, ["name"] = "dog" }),
            ["annotations"] = new JsonArray(
                new JsonObject { ["id"] = 10, ["image_id"] = 5, ["category_id"] = 4, ["segmentation"] = new JsonObject { ["counts"] = CocoRle.Encode(truth), ["size"] = new JsonArray(480, 854) } },
                new JsonObject { ["id"] = 11, ["image_id"] = 5, ["category_id"] = 3, ["segmentation"] = Rect(20, 20, 220, 170) },
                new JsonObject { ["id"] = 12, ["image_id"] = 6, ["category_id"] = 4, ["segmentation"] = Rect(300, 100, 500, 300) }),
        };
        var cocoPath = Path.Combine(temp.Path, "instances.json");
        File.WriteAllText(cocoPath, coco.ToJsonString());
        var dataset = CocoDataset.Load(cocoPath, images);

        var plan = CampaignPlan.Build(dataset.Instances, images, Seed, new NoisyBoxSimulatorOptions(), rounds: 2);

        var doc = Reparse(plan.ImportDocument);
        Assert.Equal(["sub/x#10", "sub/x#11", "y#12"], plan.Instances.Select(i => i.Name));
        Assert.Equal(["sub/x.jpg", "y.jpg"], doc["images"]!.AsArray().Select(i => (string)i!["file_name"]!));
        Assert.Equal(["dog", "cat"], doc["categories"]!.AsArray().Select(c => (string)c!["name"]!));
        var annotations = doc["annotations"]!.AsArray();
        Assert.Equal([1L, 2L, 3L], annotations.Select(a => (long)a!["id"]!));
        Assert.Equal([1L, 1L, 2L], annotations.Select(a => (long)a!["image_id"]!));
        Assert.Equal([1L, 2L, 1L], annotations.Select(a => (long)a!["category_id"]!));
        var rng = GaussianRandom.ForInstance(Seed, "sub/x#11");
        var expected = new NoisyBoxSimulator().Draw(new BoxF(20, 20, 220, 170), 854, 480, rng);
        Assert.Equal([expected.X0, expected.Y0, expected.X1 - expected.X0, expected.Y1 - expected.Y0], annotations[1]!["bbox"]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public void An_unreadable_instance_is_reported_and_left_out_of_the_import()
    {
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        File.Copy(TestData.DavisImage(0), Path.Combine(images, "a.jpg"));
        File.Copy(TestData.DavisMask(0), Path.Combine(masks, "a.png"));
        File.Copy(TestData.DavisImage(1), Path.Combine(images, "b.jpg"));
        DatasetFiles.GreyPng(Path.Combine(masks, "b.png"), 854, 480, (_, _) => 0); // no object pixels
        var dataset = PairedFolderDataset.Load(images, masks);

        var plan = CampaignPlan.Build(dataset.Instances, images, Seed, new NoisyBoxSimulatorOptions(), rounds: 1);

        Assert.Equal(["a"], plan.Instances.Select(i => i.Name));
        Assert.Equal("b", Assert.Single(plan.Problems).Item);
        Assert.Single(plan.ImportDocument["annotations"]!.AsArray());
    }

    /// <summary>The document as the server will read it (a JSON round trip).</summary>
    private static JsonNode Reparse(JsonObject doc) => JsonNode.Parse(doc.ToJsonString())!;

    private static BinaryMask Filled(BoxF box, int width, int height) =>
        BinaryMask.FromPredicate(width, height, (x, y) => x + 0.5 >= box.X0 && x + 0.5 < box.X1 && y + 0.5 >= box.Y0 && y + 0.5 < box.Y1);

    /// <summary>A stand-in model for eval's protocol: the mask is the box, filled.</summary>
    private sealed class FilledBoxModel : ISegmentationModel
    {
        public string Name => "filled-box";

        public IPreparedImage Prepare(RgbImage image) => new Prepared(image);

        public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt) =>
            new(Filled(prompt.Box!.Value, image.Image.Width, image.Image.Height), null, new ModelCallTiming(0, 0, 0));

        public void Dispose()
        {
        }

        private sealed record Prepared(RgbImage Image) : IPreparedImage
        {
            public void Dispose()
            {
            }
        }
    }
}
