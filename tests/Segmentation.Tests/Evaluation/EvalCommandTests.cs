using System.Text.Json.Nodes;
using Segmentation.Imaging;
using Segmentation.Evaluation;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Models.CropContract;
using Segmentation.Tests.Datasets;
using Simulator;

namespace Segmentation.Tests.Evaluation;

/// <summary>The eval command end to end on a few real dev-set instances (the full set is the benchmark).</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Rounds_protocol_writes_the_documented_summary_with_a_step_per_round()
    {
        var result = RunEval("--protocol", "rounds", "--rounds", "3", "--clicks", "3", "--every", "115");

        var summary = result["summary"]!;
        Assert.Equal(3, (int)summary["instances"]!);
        var miou = summary["miou_per_round"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(4, miou.Length); // after M_b, then after each of 3 rounds
        Assert.All(miou, v => Assert.InRange(v, 0.3, 1.0));
        Assert.True(miou[^1] >= miou[0], $"after three corrective rounds masks are at least as good as M_b's: {string.Join(", ", miou)}");
        Assert.Equal(4, summary["boundary_f_per_round"]!.AsArray().Count);
        var timing = result["timing"]!;
        Assert.True((double)timing["encoder_ms_median"]! > 0);
        Assert.True((double)timing["decoder_ms_median"]! > 0);
        Assert.True((double)timing["overhead_ms_median"]! >= 0);
        Assert.Equal(3, result["instances"]!.AsArray().Count);
        Assert.Equal(["000", "115", "230"], result["instances"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public void Rounds_protocol_records_what_the_quality_model_sees_of_each_round()
    {
        var result = RunEval("--protocol", "rounds", "--rounds", "3", "--clicks", "3", "--every", "115");

        foreach (var instance in result["instances"]!.AsArray())
        {
            var iou = instance!["iou"]!.AsArray().Select(v => (double)v!).ToArray();
            var clicks = instance["clicks"]!.AsArray().Select(v => (int)v!).ToArray();
            var quality = instance["quality"]!.AsArray();
            Assert.NotEmpty(quality);
            for (var k = 0; k < quality.Count; k++)
            {
                var q = quality[k]!;
                var round = (int)q["round"]!;
                Assert.Equal(k + 1, round); // a round per entry, up to the first accepted one
                Assert.Equal(clicks[round], (int)q["clicks"]!);
                Assert.Equal(iou[round], (double)q["true_iou"]!, 4);
                Assert.InRange((double)q["mask_change_iou"]!, 0, 1);
                Assert.InRange((double)q["model_score"]!, 0, 1.2);
                Assert.True((long)q["mask_area"]! > 0);
                if ((int)q["clicks"]! == 0)
                {
                    Assert.Equal(quality.Count - 1, k); // nothing is recorded after an accepted round
                    Assert.Equal(1, (double)q["mask_change_iou"]!);
                }
            }
            Assert.Equal(iou[^1], (double)quality[^1]!["true_iou"]!, 4); // the last entry is the final mask
        }
    }

    [Fact]
    public void Noc_protocol_reports_noc_and_a_curve_per_click()
    {
        var result = RunEval("--protocol", "noc", "--max-clicks", "5", "--every", "170");

        var summary = result["summary"]!;
        Assert.Equal(3, (int)summary["instances"]!);
        Assert.Equal(5, summary["miou_per_round"]!.AsArray().Count);
        var noc90 = (double)summary["noc90"]!;
        var noc85 = (double)summary["noc85"]!;
        Assert.InRange(noc85, 1, 5);
        Assert.InRange(noc90, noc85, 5);
        Assert.InRange((int)summary["nof90"]!, 0, 3);
    }

    [Fact]
    public void Same_seed_gives_the_same_result()
    {
        var a = RunEval("--protocol", "rounds", "--rounds", "1", "--every", "345", "--seed", "7");
        var b = RunEval("--protocol", "rounds", "--rounds", "1", "--every", "345", "--seed", "7");
        Assert.Equal(a["instances"]!.ToJsonString(), b["instances"]!.ToJsonString());
    }

    [Fact]
    public void A_broken_image_is_reported_by_name_and_the_run_goes_on()
    {
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        File.Copy(TestData.DavisImage(0), Path.Combine(images, "a.jpg"));
        File.Copy(TestData.DavisMask(0), Path.Combine(masks, "a.png"));
        File.WriteAllBytes(Path.Combine(images, "b.jpg"), [1, 2, 3, 4, 5, 6, 7, 8]);
        File.Copy(TestData.DavisMask(1), Path.Combine(masks, "b.png"));

        var result = RunEval("--images", images, "--masks", masks, "--protocol", "rounds", "--rounds", "1");

        Assert.Equal(1, (int)result["summary"]!["instances"]!);
        var problem = Assert.Single(result["problems"]!.AsArray());
        Assert.Equal("b", (string)problem!["item"]!);
    }

    [Fact]
    public void Coco_input_with_rle_and_polygon_segmentations_is_evaluated()
    {
        var images = temp.Folder("coco-img");
        File.Copy(TestData.DavisImage(0), Path.Combine(images, "000.jpg"));
        var truth = ImageCodec.ReadMask(TestData.DavisMask(0));
        var tight = truth.BoundingBox()!.Value;
        var coco = new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["id"] = 1, ["file_name"] = "000.jpg", ["width"] = 854, ["height"] = 480 }),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "object" }),
            ["annotations"] = new JsonArray(
                new JsonObject
                {
                    ["id"] = 10, ["image_id"] = 1, ["category_id"] = 1, ["iscrowd"] = 0,
                    ["bbox"] = new JsonArray(tight.X, tight.Y, tight.Width, tight.Height),
                    ["segmentation"] = new JsonObject { ["counts"] = CocoRle.Encode(truth), ["size"] = new JsonArray(480, 854) },
                },
                new JsonObject
                {
                    ["id"] = 11, ["image_id"] = 1, ["category_id"] = 1, ["iscrowd"] = 0,
                    ["bbox"] = new JsonArray(20, 20, 200, 150),
                    ["segmentation"] = new JsonArray(new JsonArray(20, 20, 220, 20, 220, 170, 20, 170)),
                }),
        };
        var cocoPath = Path.Combine(temp.Path, "instances.json");
        File.WriteAllText(cocoPath, coco.ToJsonString());

        var result = RunEval("--images", images, "--coco", cocoPath, "--protocol", "rounds", "--rounds", "1");

        Assert.Equal(2, (int)result["summary"]!["instances"]!);
        Assert.Equal(["000#10", "000#11"], result["instances"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public void Crop_contract_models_run_through_the_same_command()
    {
        var mb = Path.Combine(temp.Path, "mb.onnx");
        var mbc = Path.Combine(temp.Path, "mbc.onnx");
        CropContractReferenceModel.Save(mb, CropContractOptions.BoxOnly);
        CropContractReferenceModel.Save(mbc, CropContractOptions.BoxAndClicks);

        var result = RunEval("--protocol", "rounds", "--rounds", "2", "--every", "115", "--model", "crop", "--mb", mb, "--mbc", mbc);

        Assert.Equal(3, (int)result["summary"]!["instances"]!);
        Assert.Equal(3, result["summary"]!["miou_per_round"]!.AsArray().Count);
        Assert.Equal(0, (double)result["timing"]!["encoder_ms_median"]!);
    }

    [Theory]
    [InlineData("--protocol", "sideways")]
    [InlineData("--protocol", "rounds", "--rounds", "-1")]
    [InlineData("--protocol", "rounds", "--clikcs", "3")]
    [InlineData("--protocol", "rounds", "--every", "zero")]
    public void Bad_options_are_usage_errors_naming_the_option(params string[] options)
    {
        var args = new[] { "--images", TestData.DavisDirectory + "/img", "--masks", TestData.DavisDirectory + "/gt" }.Concat(options).ToArray();
        var error = Assert.Throws<UsageException>(() => EvalCommand.Run(args));
        Assert.Contains("--", error.Message);
    }

    [Fact]
    public void A_judged_choice_records_what_the_truth_chose_at_every_model_call()
    {
        var result = RunEval("--protocol", "rounds", "--rounds", "2", "--every", "115", "--judged-choice", "anyanswer");

        Assert.Equal("anyanswer", (string)result["settings"]!["judged_choice"]!);
        var picks = result["summary"]!["judged_picks_per_call"]!.AsArray();
        Assert.InRange(picks.Count, 1, 3); // M_b, then a call for each round with clicks
        Assert.Equal(3, picks[0]!.AsObject().Sum(p => (int)p.Value!));
        Assert.Equal(3, (int)picks[0]!["own answer"]!); // the box alone: nothing to choose from
    }

    [Theory]
    [InlineData("--judged-choice", "--judged-choice", "perfect")]
    [InlineData("--judged-choice", "--judged-choice", "anyanswer", "--model", "box")]
    [InlineData("--refine", "--judged-choice", "acceptorkeep", "--refine")]
    [InlineData("--judged-log", "--judged-log", "answers.jsonl")]
    [InlineData("file not found", "--answer-chooser", "no-such-chooser.bin")]
    [InlineData("needs no judged choice", "--answer-chooser", "CHOOSER", "--judged-choice", "anyanswer")]
    [InlineData("has none to choose from", "--answer-chooser", "CHOOSER", "--model", "box")]
    [InlineData("cannot be combined with --refine", "--answer-chooser", "CHOOSER", "--refine")]
    [InlineData("--offset", "--every", "2", "--offset", "2")]
    public void A_choice_the_command_cannot_make_is_a_usage_error_naming_the_option(string named, params string[] options)
    {
        // A real chooser, so that each refusal is told apart from a missing file by its own message.
        var chooserPath = Path.Combine(temp.Path, "chooser.bin");
        var examples = Enumerable.Range(0, 40).Select(i => new AnswerExample(new AnswerFeatures { Score = i / 40.0 }, i % 2 == 0 ? 0.1 : -0.1)).ToList();
        using (var chooser = AnswerChooser.Train(examples, new AnswerChooserOptions { Trees = 2, MinExamplesPerLeaf = 5 }))
        using (var stream = File.Create(chooserPath))
            chooser.Save(stream);
        var args = new[] { "--images", TestData.DavisDirectory + "/img", "--masks", TestData.DavisDirectory + "/gt", "--protocol", "rounds" }
            .Concat(options.Select(o => o == "CHOOSER" ? chooserPath : o)).ToArray();
        var error = Assert.Throws<UsageException>(() => EvalCommand.Run(args));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void An_observed_run_keeps_the_models_own_masks_and_its_log_trains_a_chooser_that_a_run_then_uses()
    {
        var log = Path.Combine(temp.Path, "answers.jsonl");
        var own = RunEval("--protocol", "rounds", "--rounds", "2", "--every", "115");
        var observed = RunEval("--protocol", "rounds", "--rounds", "2", "--every", "115", "--judged-choice", "observe", "--judged-log", log);

        Assert.Equal("observe", (string)observed["settings"]!["judged_choice"]!);
        Assert.Equal(own["summary"]!["miou_per_round"]!.ToJsonString(), observed["summary"]!["miou_per_round"]!.ToJsonString());
        Assert.All(observed["summary"]!["judged_picks_per_call"]!.AsArray(), step => Assert.Equal(JudgedPicks.OwnAnswer, Assert.Single(step!.AsObject()).Key));
        IReadOnlyList<JudgedCall> calls;
        using (var reader = File.OpenText(log))
            calls = JudgedOptionsLog.Read(reader, log);
        Assert.NotEmpty(calls);
        Assert.All(calls, c =>
        {
            Assert.Equal(JudgedPicks.OwnAnswer, c.Options[0].Way);
            Assert.Contains(c.Options, o => o.Way == JudgedPicks.PreviousMask);
            Assert.All(c.Options, o => Assert.InRange(o.Value, 0, 1));
        });

        var chooserPath = Path.Combine(temp.Path, "chooser.bin");
        Assert.Equal(0, AnswerChooserCommand.Run(["--logs", log, "--min-leaf", "1", "--out", chooserPath]));
        var chosen = RunEval("--protocol", "rounds", "--rounds", "2", "--every", "115", "--answer-chooser", chooserPath);
        Assert.Equal("chooser.bin", (string)chosen["settings"]!["answer_chooser"]!);
        Assert.Equal(3, (int)chosen["summary"]!["instances"]!);
    }

    [Fact]
    public void Masks_and_coco_together_are_refused()
    {
        var error = Assert.Throws<UsageException>(() => EvalCommand.Run(["--images", "x", "--masks", "y", "--coco", "z", "--protocol", "rounds"]));
        Assert.Contains("--masks", error.Message);
    }

    private JsonNode RunEval(params string[] options)
    {
        var outPath = Path.Combine(temp.Path, $"result-{Guid.NewGuid():N}.json");
        var args = options.Contains("--images")
            ? options
            : new[] { "--images", Path.Combine(TestData.DavisDirectory, "img"), "--masks", Path.Combine(TestData.DavisDirectory, "gt") }.Concat(options).ToArray();
        var exit = EvalCommand.Run([.. args, "--out", outPath]);
        Assert.Equal(0, exit);
        Assert.True(File.Exists(Path.ChangeExtension(outPath, ".svg")), "the plot is written next to the JSON");
        return JsonNode.Parse(File.ReadAllText(outPath))!;
    }
}

[CollectionDefinition(nameof(ConsoleOutput), DisableParallelization = true)]
public sealed class ConsoleOutput;
