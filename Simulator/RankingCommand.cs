using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Ranking;
using Simulator.Campaign;

namespace Simulator;

/// <summary>
/// The ranking command: an offline study of M_r on the rounds an <c>eval --protocol rounds</c> run recorded. Many random
/// ground-truth subsets are drawn; each trains the forest and ranks the final masks of the other instances. It answers
/// how well the ranking works for a ground-truth fraction and forest settings, and how much it varies with the subset.
/// </summary>
public static class RankingCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string>());
        var files = cli.Required("signals").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (files.Length == 0) throw new UsageException("Option --signals needs at least one file.");
        var defaults = new QualityModelOptions();
        var options = new RankingStudyOptions
        {
            GroundTruthFraction = cli.Double("gt-fraction", 0.1, 0.001, 0.9),
            Draws = cli.Int("draws", 50, 1, 10_000),
            Seed = cli.Int("seed", 1),
            Model = new QualityModelOptions
            {
                Trees = cli.Int("trees", defaults.Trees, 1, 10_000),
                Leaves = cli.Int("leaves", defaults.Leaves, 2, 1024),
                MinExamplesPerLeaf = cli.Int("min-leaf", defaults.MinExamplesPerLeaf, 1, 1000),
                FeatureSet = FeatureSetOption(cli.Optional("features")),
            },
        };
        var outPath = cli.Optional("out");
        cli.RejectUnknown();
        if (options.MinTrainingExamples < 2 * options.Model.MinExamplesPerLeaf)
            options = options with { MinTrainingExamples = 2 * options.Model.MinExamplesPerLeaf };

        var results = new List<(string File, int Instances, IReadOnlyList<RankingDraw> Draws)>();
        foreach (var file in files)
        {
            var instances = ReadSignals(file);
            var bar = new ProgressBar("ranking " + Path.GetFileName(file));
            var watch = Stopwatch.StartNew();
            var draws = RankingStudy.Run(instances, options, new Progress<int>(done => bar.Report(done, options.Draws, watch.Elapsed, "draws")));
            results.Add((file, instances.Count, draws));
        }

        Console.WriteLine(Table(options, results));
        if (outPath is not null)
        {
            var outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            Directory.CreateDirectory(outDir);
            File.WriteAllText(outPath, Json(options, results).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"Wrote {outPath}");
        }
        return 0;
    }

    /// <summary>The instances of an eval result JSON with their recorded rounds (the "quality" array of each instance).</summary>
    public static IReadOnlyList<StudyInstance> ReadSignals(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--signals: file not found: {path}");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        if (root?["instances"] is not JsonArray list)
            throw new InvalidDataException($"{path}: no \"instances\" array; give the result JSON of 'eval --protocol rounds'.");
        if (root["settings"]?["judged_choice"] is JsonValue judged && judged.ToString() != "observe")
            throw new InvalidDataException($"{path}: its masks were chosen by the ground truth (judged choice {judged}), not by the model; M_r must learn from the model's own rounds.");
        var instances = new List<StudyInstance>(list.Count);
        foreach (var node in list)
        {
            var id = node?["id"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: an instance has no id.");
            if (node["quality"] is not JsonArray rounds)
                throw new InvalidDataException($"{path}: instance {id} has no \"quality\" rounds; it was written by an older eval or by the noc protocol.");
            instances.Add(new StudyInstance(id, rounds.Select(r => ReadRound(r, path, id)).ToArray()));
        }
        return instances;
    }

    static QualityExample ReadRound(JsonNode? round, string path, string id)
    {
        double Number(string field) =>
            round?[field] is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number)
                ? number
                : throw new InvalidDataException($"{path}: instance {id} has a round without a numeric \"{field}\".");
        var features = new QualityFeatures((int)Number("clicks"), (int)Number("round"), Number("mask_change_iou"),
            Number("max_click_distance"), Number("mean_click_distance"))
        {
            ModelScore = round?["model_score"] is null ? null : Number("model_score"),
        };
        return new QualityExample(features, Number("true_iou"));
    }

    public static QualityFeatureSet FeatureSetOption(string? text) => text switch
    {
        null or "paper" => QualityFeatureSet.Paper,
        "paper+score" => QualityFeatureSet.PaperAndModelScore,
        _ => throw new UsageException($"Option --features must be paper or paper+score, got '{text}'."),
    };

    public static string FeatureSetName(QualityFeatureSet set) => set == QualityFeatureSet.Paper ? "paper" : "paper+score";

    static string Table(RankingStudyOptions options, IReadOnlyList<(string File, int Instances, IReadOnlyList<RankingDraw> Draws)> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"M_r study: {options.Draws} random ground-truth subsets of {options.GroundTruthFraction:P0} per file; forest {options.Model.Trees} trees, {options.Model.Leaves} leaves, at least {options.Model.MinExamplesPerLeaf} examples per leaf; features {FeatureSetName(options.Model.FeatureSet)}");
        var width = Math.Max(28, results.Max(r => Path.GetFileName(r.File).Length));
        sb.AppendLine(inv, $"{"file".PadRight(width)} {"trained",8} {"Spearman mean",14} {"sd",6} {"p10",6} {"min",6} {"top70 gain mean",16} {"p10",6} {"min",6} {"both targets",13} {"score alone: Spearman",22} {"top70 gain",11}");
        foreach (var (file, _, draws) in results)
        {
            var s = SpreadOf(draws.Select(d => d.Spearman));
            var g = SpreadOf(draws.Select(d => d.TopPercentGain(70) * 100));
            var met = draws.Count(d => d.Spearman >= 0.5 && d.TopPercentGain(70) >= 0.03);
            var bs = SpreadOf(draws.Select(d => d.ModelScoreSpearman));
            var bg = SpreadOf(draws.Select(d => d.ModelScoreTopPercentGain(70) * 100));
            sb.AppendLine(inv, $"{Path.GetFileName(file).PadRight(width)} {draws.Count(d => d.Trained),8} {s.Mean,14:F3} {s.Sd,6:F3} {s.P10,6:F3} {s.Min,6:F3} {g.Mean,13:F2} pt {g.P10,6:F2} {g.Min,6:F2} {met,6}/{draws.Count} {bs.Mean,22:F3} {bg.Mean,8:F2} pt");
        }
        return sb.ToString();
    }

    static JsonObject Json(RankingStudyOptions options, IReadOnlyList<(string File, int Instances, IReadOnlyList<RankingDraw> Draws)> results) => new()
    {
        ["settings"] = new JsonObject
        {
            ["gt_fraction"] = options.GroundTruthFraction,
            ["draws"] = options.Draws,
            ["seed"] = options.Seed,
            ["trees"] = options.Model.Trees,
            ["leaves"] = options.Model.Leaves,
            ["min_examples_per_leaf"] = options.Model.MinExamplesPerLeaf,
            ["features"] = FeatureSetName(options.Model.FeatureSet),
        },
        ["files"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["file"] = Path.GetFileName(r.File),
            ["instances"] = r.Instances,
            ["spearman"] = SpreadOf(r.Draws.Select(d => d.Spearman)).ToJson(),
            ["top70_gain_points"] = SpreadOf(r.Draws.Select(d => d.TopPercentGain(70) * 100)).ToJson(),
            ["draws_meeting_both_targets"] = r.Draws.Count(d => d.Spearman >= 0.5 && d.TopPercentGain(70) >= 0.03),
            // The same held-out masks ranked by the segmentation model's own score, without training.
            ["model_score_spearman"] = SpreadOf(r.Draws.Select(d => d.ModelScoreSpearman)).ToJson(),
            ["model_score_top70_gain_points"] = SpreadOf(r.Draws.Select(d => d.ModelScoreTopPercentGain(70) * 100)).ToJson(),
            ["draws"] = new JsonArray(r.Draws.Select(d => (JsonNode)new JsonObject
            {
                ["draw"] = d.Draw,
                ["training_instances"] = d.TrainingInstances,
                ["training_examples"] = d.TrainingExamples,
                ["held_out"] = d.HeldOut,
                ["spearman"] = ReportNumbers.Round(d.Spearman),
                ["model_score_spearman"] = ReportNumbers.Round(d.ModelScoreSpearman),
                ["all_miou"] = ReportNumbers.Round(d.AllMeanIoU),
                ["top_percent_miou"] = ReportNumbers.Curve(d.Curve),
            }).ToArray()),
        }).ToArray()),
    };

    /// <summary>Mean, standard deviation, 10th percentile, minimum and median of the finite values (draws without a model are left out).</summary>
    sealed record Spread(double Mean, double Sd, double P10, double Min, double Median, int Count)
    {
        public JsonObject ToJson() => new()
        {
            ["mean"] = ReportNumbers.Round(Mean),
            ["sd"] = ReportNumbers.Round(Sd),
            ["p10"] = ReportNumbers.Round(P10),
            ["min"] = ReportNumbers.Round(Min),
            ["median"] = ReportNumbers.Round(Median),
            ["count"] = Count,
        };
    }

    static Spread SpreadOf(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return new Spread(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        var mean = sorted.Average();
        var sd = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, sorted.Length - 1));
        return new Spread(mean, sd, Percentiles.OfSorted(sorted, 10), sorted[0], Percentiles.OfSorted(sorted, 50), sorted.Length);
    }
}
